import Hummingbird
import Logging

/// The small HTTP listener of the broker and each service: `/metrics` (Prometheus) and `/healthz` (alive).
public enum MetricsServer {
    /// An application serving `/metrics` and `/healthz` on `port` (on all interfaces, for container probes).
    public static func application(port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.render())))
        }
        router.get("/healthz") { _, _ in "ok" }
        return Application(
            router: router, configuration: .init(address: .hostname("0.0.0.0", port: port), serverName: nil),
            logger: logger)
    }
}
