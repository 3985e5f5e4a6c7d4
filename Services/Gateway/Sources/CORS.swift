import HTTPTypes
import Hummingbird

/// Cross-origin requests from the configured origins only: a browser on one of them may call
/// the gateway (its preflight is answered here); from any other origin it gets no CORS
/// headers, so the browser keeps the answer from the page.
struct CORSForOrigins<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    static var allowedHeaders: String { "Authorization, Content-Type, Idempotency-Key, Last-Event-ID" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options {
            var headers = corsHeaders(origin)
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in corsHeaders(origin) { response.headers.append(field) }
        return response
    }

    private func corsHeaders(_ origin: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = origin
        headers[.vary] = "Origin"
        return headers
    }
}
