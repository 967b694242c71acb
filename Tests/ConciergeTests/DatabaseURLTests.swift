import Foundation
import ServiceRuntime
import Testing

@Suite("DatabaseURL: postgres:// parsing")
struct DatabaseURLTests {
    @Test func parsesEveryPart() throws {
        let url = try DatabaseURL("postgres://alice:s%40cret@db.example.com:6543/shop")
        #expect(url.username == "alice")
        #expect(url.password == "s@cret")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "shop")
        #expect(url.unixSocketDirectory == nil)
        #expect(!url.requireTLS)
    }

    @Test func fillsDefaults() throws {
        let url = try DatabaseURL("postgresql://bob@db.example.com")
        #expect(url.username == "bob")
        #expect(url.password == nil)
        #expect(url.port == 5432)
        #expect(url.database == "bob")
    }

    @Test func hostQueryWithAPathIsAUnixSocketDirectory() throws {
        let url = try DatabaseURL("postgres://concierge@localhost:5433/concierge?host=/var/run/postgresql")
        #expect(url.unixSocketDirectory == "/var/run/postgresql")
        #expect(url.port == 5433)
        #expect(url.database == "concierge")
        let relative = try DatabaseURL("postgres://concierge@localhost/concierge?host=relative")
        #expect(relative.unixSocketDirectory == nil)
    }

    @Test func unixSocketURLWithoutAHost() throws {
        let url = try DatabaseURL("postgres://concierge@/concierge?host=/tmp")
        #expect(url.unixSocketDirectory == "/tmp")
        #expect(url.username == "concierge")
        #expect(url.database == "concierge")
    }

    @Test func sslmodeRequireAsksForTLS() throws {
        #expect(try DatabaseURL("postgres://u@h/db?sslmode=require").requireTLS)
        #expect(try !DatabaseURL("postgres://u@h/db?sslmode=disable").requireTLS)
        #expect(try !DatabaseURL("postgres://u@h/db").requireTLS)
    }

    @Test(arguments: ["", "mysql://u@h/db", "http://u@h/db", "u@h/db", "postgres//u@h/db"])
    func refusesOtherSchemes(text: String) {
        let error = #expect(throws: ConfigurationError.self) { try DatabaseURL(text, variable: "X_URL") }
        #expect(error?.variable == "X_URL")
    }
}
