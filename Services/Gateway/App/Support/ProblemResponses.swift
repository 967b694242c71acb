import Foundation
import Hummingbird
import NIOCore
import Wire

/// Gateway-only problems (authentication and HTTP-level mistakes).
enum GatewayProblem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: 401, code: "unauthorized", title: "Unauthorized", detail: detail)
    }
    static func tooLarge(limit: Int) -> Problem {
        Problem(
            status: 413, code: "body_too_large", title: "Content too large", detail: "the body exceeds \(limit) bytes")
    }
    static func invalidID(_ text: String) -> Problem {
        Problem(status: 400, code: "invalid_id", title: "Bad request", detail: "'\(text.prefix(64))' is not a valid id")
    }
}

extension Problem {
    /// This problem as an `application/problem+json` response.
    func response(headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        headers.append(contentsOf: extra)
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if status == 503, headers[.retryAfter] == nil { headers[.retryAfter] = "1" }
        let body = (try? WireJSON.encoder.encode(self)) ?? Data("{}".utf8)
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error that escapes a route into an RFC 9457 problem response, so no client ever sees an HTML page,
/// an empty body or an internal detail.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch is NIOTooManyBytesError {
            return GatewayProblem.tooLarge(limit: maxBodyBytes).response()
        } catch let error as HTTPError {
            let code = error.status.code
            let problem: Problem =
                switch code {
                case 404: .notFound("no route for \(request.method.rawValue) \(request.uri.path)")
                case 405:
                    Problem(status: 405, code: "method_not_allowed", title: "Method not allowed", detail: error.body)
                case 413: GatewayProblem.tooLarge(limit: maxBodyBytes)
                default:
                    Problem(
                        status: code, code: "http_\(code)", title: error.status.reasonPhrase, detail: error.body)
                }
            return problem.response(headers: error.headers)
        } catch let error as any HTTPResponseError where error.status.code == 413 {
            return GatewayProblem.tooLarge(limit: maxBodyBytes).response()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem.internal().response()
        }
    }
}
