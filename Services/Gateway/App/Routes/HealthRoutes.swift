import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// `/healthz` (the process is alive), `/readyz` (it can serve: database, broker and a live worker for every
/// service) and `/metrics` (Prometheus).
struct HealthRoutes {
    let services: ServiceClient
    let database: Database

    struct Readiness: Codable {
        var status: String
        var database: String
        var services: [String: String]
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }

        router.get("readyz") { _, context in
            async let databaseUp = checkDatabase()
            var states: [String: String] = [:]
            await withTaskGroup(of: (String, Bool).self) { group in
                for service in Operation.services {
                    group.addTask { (service, await services.isAvailable(service)) }
                }
                for await (service, up) in group { states[service] = up ? "ok" : "no live worker" }
            }
            let database = await databaseUp ? "ok" : "unreachable"
            let ready = database == "ok" && states.values.allSatisfy { $0 == "ok" }
            let body = try WireJSON.encoder.encode(
                Readiness(status: ready ? "ready" : "not ready", database: database, services: states))
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }

        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.render())))
        }
    }

    private func checkDatabase() async -> Bool {
        do {
            return try await database.withConnection { connection in
                try await connection.query("SELECT 1", logger: database.logger)
                return true
            }
        } catch {
            return false
        }
    }
}
