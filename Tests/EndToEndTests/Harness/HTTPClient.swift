import Foundation
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP answer: status, headers (names lowercased) and body, with JSON accessors.
struct HTTPResponse: Sendable, CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, if it is one.
    var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// A top-level string field of the JSON body.
    func string(_ key: String) -> String? { object?[key] as? String }

    /// The problem `code` of an error body.
    var code: String? { string("code") }

    /// The `field`s of a validation problem's `errors`.
    var fieldErrors: [String] {
        ((object?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var isProblem: Bool { header("content-type")?.hasPrefix("application/problem+json") ?? false }

    var description: String { "HTTP \(status) \(text.prefix(500))" }
}

/// A tiny JSON-over-HTTP client on `URLSession` for talking to the gateway.
struct HTTPClient: Sendable {
    let baseURL: String
    private let session: URLSession

    init(baseURL: String) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    /// Sends a request. `json` (any `JSONSerialization` value) is encoded as the body unless `body` is given.
    func request(
        _ method: String, _ path: String, key: String? = nil, json: Any? = nil, body: Data? = nil,
        contentType: String? = "application/json", headers: [String: String] = [:], timeout: TimeInterval = 60
    ) async throws -> HTTPResponse {
        guard let url = URL(string: baseURL + path) else { throw TestSetupError("bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let payload = try body ?? json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        if let payload {
            request.httpBody = payload
            // Always name the type: URLSession would otherwise send application/x-www-form-urlencoded.
            request.setValue(contentType ?? "application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestSetupError("not an HTTP response") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, key: String?) async throws -> HTTPResponse {
        try await request("GET", path, key: key)
    }

    func post(
        _ path: String, key: String?, json: Any, idempotencyKey: String? = nil, timeout: TimeInterval = 60
    ) async throws -> HTTPResponse {
        try await request(
            "POST", path, key: key, json: json, headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:],
            timeout: timeout)
    }
}
