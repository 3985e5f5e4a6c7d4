import HTTPTypes
import OmnibusContracts

extension ErrorCode {
    /// The gateway's own: no token, or one it does not know (401).
    static let unauthenticated = ErrorCode(rawValue: "unauthenticated")

    /// The HTTP status a command error travels as.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidRequest, .unsupportedVersion, .outOfRange: .badRequest
        case .invalidArgument: .unprocessableContent
        case .unknownCommand, .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .unavailable: .serviceUnavailable
        case .unauthenticated: .unauthorized
        default: .internalServerError
        }
    }
}
