import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// `identity.profile.get`, `identity.profile.update`, `identity.consent.set`, `identity.preferences.set`.
enum ProfileCommands {
    static func register(in registry: inout CommandRegistry) {
        registry.register(GetProfile.self) { input, context in
            try CustomerDirectory.profile(input.customerId, in: context.db)
        }
        registry.register(UpdateProfile.self) { input, context in
            try updateProfile(input, context: context)
        }
        registry.register(SetConsent.self) { input, context in
            try setConsent(input, context: context)
        }
        registry.register(SetPreferences.self) { input, context in
            try setPreferences(input, context: context)
        }
    }

    static func updateProfile(_ input: UpdateProfile, context: CommandContext) throws -> CustomerRef {
        var customer = try CustomerDirectory.active(input.customerId, in: context.db)
        let before = customer
        if let name = input.displayName { customer.displayName = try ProfileValidation.displayName(name) }
        if let locale = input.locale { customer.locale = try ProfileValidation.locale(locale) }
        if customer != before {
            customer.updatedAt = Timestamp.now().millisecondsSince1970
            try customer.update(context.db)
            try emitProfile(customer, context: context)
        }
        return CustomerRef(customerId: customer.id, status: customer.status)
    }

    static func setConsent(_ input: SetConsent, context: CommandContext) throws -> CustomerRef {
        let customer = try CustomerDirectory.active(input.customerId, in: context.db)
        let source = try ProfileValidation.source(input.source ?? context.channel ?? "unspecified")
        let existing = try ConsentRecord.fetchOne(context.db, key: [
            "customerId": customer.id, "purpose": input.purpose.rawValue, "channel": input.channel.rawValue,
        ])
        let current = existing?.granted ?? input.purpose.grantedByDefault
        // Saying again what already holds changes nothing; only changes are recorded.
        guard existing == nil || current != input.granted else {
            return CustomerRef(customerId: customer.id, status: customer.status)
        }
        let record = ConsentRecord(
            customerId: customer.id, purpose: input.purpose, channel: input.channel, granted: input.granted,
            changedAt: Timestamp.now().millisecondsSince1970, source: source)
        try record.save(context.db)
        try context.emit(IdentityEvent.ConsentChanged(customerId: customer.id, consent: record.state),
                         customerId: customer.id)
        return CustomerRef(customerId: customer.id, status: customer.status)
    }

    static func setPreferences(_ input: SetPreferences, context: CommandContext) throws -> CustomerRef {
        var customer = try CustomerDirectory.active(input.customerId, in: context.db)
        try input.quietHours?.validate()
        let before = customer
        customer.preferredChannel = input.preferredChannel
        customer.quietHours = input.quietHours
        if customer != before {
            customer.updatedAt = Timestamp.now().millisecondsSince1970
            try customer.update(context.db)
            try emitPreferences(customer, context: context)
        }
        return CustomerRef(customerId: customer.id, status: customer.status)
    }

    static func emitProfile(_ customer: CustomerRecord, context: CommandContext) throws {
        let event = IdentityEvent.ProfileUpdated(
            customerId: customer.id, displayName: customer.displayName, locale: customer.locale, status: customer.status)
        try context.emit(event, customerId: customer.id)
    }

    static func emitPreferences(_ customer: CustomerRecord, context: CommandContext) throws {
        let event = IdentityEvent.PreferencesChanged(
            customerId: customer.id, preferredChannel: customer.preferredChannel, quietHours: customer.quietHours)
        try context.emit(event, customerId: customer.id)
    }
}

/// Checks on free-text profile fields.
enum ProfileValidation {
    static func displayName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= IdentityCommand.maxDisplayNameLength, name.utf8.count <= IdentityCommand.maxDisplayNameLength * 4 else {
            throw OmnibusError(.invalidArgument, "displayName must be 1 to \(IdentityCommand.maxDisplayNameLength) characters and \(IdentityCommand.maxDisplayNameLength * 4) bytes")
        }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw OmnibusError(.invalidArgument, "displayName must not contain control characters")
        }
        return name
    }

    /// A BCP 47 language tag of the common shape: `de`, `de-DE`, `zh-Hant-TW`.
    static func locale(_ raw: String) throws -> String {
        let parts = raw.split(separator: "-", omittingEmptySubsequences: false)
        let isAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard raw.utf8.count <= 35, let language = parts.first, (2...3).contains(language.count),
              language.allSatisfy({ $0.isASCII && $0.isLetter }),
              parts.dropFirst().allSatisfy({ (2...8).contains($0.count) && $0.allSatisfy(isAlnum) })
        else {
            throw OmnibusError(.invalidArgument, "locale '\(InputCheck.excerpt(raw))' is not a language tag such as de-DE")
        }
        return raw
    }

    /// Where a consent change came from: a channel name or a short label.
    /// Where a consent came from, as a name (`web`, `store:berlin-mitte`, `newsletter-2026`),
    /// never free text: words a customer typed would be personal data kept in the consent log.
    static func source(_ raw: String) throws -> String {
        let allowed = raw.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || [45, 46, 58, 95].contains(byte)
        }
        guard (1...64).contains(raw.utf8.count), allowed else {
            throw OmnibusError(.invalidArgument, "source must be a name: 1 to 64 letters, digits, '-', '.', ':' or '_'")
        }
        return raw
    }
}
