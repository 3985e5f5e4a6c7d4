import HTTPTypes
import OmnibusContracts

extension ErrorCode {
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
        default: .internalServerError
        }
    }
}
