import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database` URL (also `?host=/socket/dir` for unix sockets).
public struct DatabaseURL: Sendable, Equatable {
    public var username: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var unixSocketDirectory: String?
    /// `sslmode=require` asks for TLS; anything else connects in plain text (loopback and private networks).
    public var requireTLS: Bool

    public init(_ text: String, variable: String = "database URL") throws {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw ConfigurationError(variable: variable, reason: "must look like postgres://user@host:port/database")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        username = components.percentEncodedUser?.removingPercentEncoding ?? "postgres"
        password = components.percentEncodedPassword?.removingPercentEncoding
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
        unixSocketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        requireTLS = query["sslmode"] == "require"
    }

    /// The PostgresNIO client configuration for this URL.
    public func clientConfiguration(poolSize: Int) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let unixSocketDirectory {
            configuration = .init(
                unixSocketPath: "\(unixSocketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
