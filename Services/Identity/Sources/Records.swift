import GRDB
import OmnibusContracts

/// A row of `customer`.
struct CustomerRecord: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "customer"

    var id: String
    var status: CustomerStatus
    var displayName: String?
    var locale: String?
    var preferredChannel: ContactChannel?
    var quietHoursStart: String?
    var quietHoursEnd: String?
    var quietHoursTimeZone: String?
    var mergedInto: String?
    var createdAt: Int64
    var updatedAt: Int64

    var quietHours: QuietHours? {
        get {
            guard let quietHoursStart, let quietHoursEnd, let quietHoursTimeZone else { return nil }
            return QuietHours(start: quietHoursStart, end: quietHoursEnd, timeZone: quietHoursTimeZone)
        }
        set {
            quietHoursStart = newValue?.start
            quietHoursEnd = newValue?.end
            quietHoursTimeZone = newValue?.timeZone
        }
    }

    static func new(id: String, at now: Timestamp) -> CustomerRecord {
        CustomerRecord(
            id: id, status: .provisional, displayName: nil, locale: nil, preferredChannel: nil,
            quietHoursStart: nil, quietHoursEnd: nil, quietHoursTimeZone: nil, mergedInto: nil,
            createdAt: now.millisecondsSince1970, updatedAt: now.millisecondsSince1970)
    }
}

/// A row of `identifier`: one canonical identifier and the customer it leads to.
struct IdentifierRecord: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "identifier"

    var kind: IdentifierKind
    var value: String
    var customerId: String
    var channel: String?
    var verified: Bool
    var linkedAt: Int64

    var linked: LinkedIdentifier {
        LinkedIdentifier(kind: kind, value: value, channel: channel, verified: verified,
                         linkedAt: Timestamp(millisecondsSince1970: linkedAt))
    }
}

/// A row of `consent`: the latest decision for one purpose and channel.
struct ConsentRecord: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "consent"

    var customerId: String
    var purpose: ConsentPurpose
    var channel: ContactChannel
    var granted: Bool
    var changedAt: Int64
    var source: String

    var state: ConsentState {
        ConsentState(purpose: purpose, channel: channel, granted: granted,
                     changedAt: Timestamp(millisecondsSince1970: changedAt), source: source)
    }
}
