import Logging
import ServiceLifecycle
import ZeroMQ

/// The broker's event fan-out: services publish to its XSUB side and subscribers connect to its XPUB side, so
/// nobody needs anybody else's address. It runs on its own socket thread, apart from Majordomo traffic.
///
/// Fan-out only makes delivery fast; the log is the truth (a dropped message is found again by catch-up).
public final class EventFanout: Service, Sendable {
    private let publishEndpoints: [String]
    private let subscribeEndpoints: [String]
    private let logger: Logger

    public init(publishEndpoints: [String], subscribeEndpoints: [String], logger: Logger) {
        self.publishEndpoints = publishEndpoints
        self.subscribeEndpoints = subscribeEndpoints
        self.logger = logger
    }

    public func run() async throws {
        let thread = try SocketThread(name: "event-fanout", logger: logger)
        thread.start()
        let publish = publishEndpoints
        let subscribe = subscribeEndpoints
        do {
            try await thread.run { loop in
                let inbound = try loop.makeSocket(.xsub, linger: .zero)
                let outbound = try loop.makeSocket(.xpub, linger: .zero)
                try inbound.set(.receiveHighWaterMark(100_000))
                try outbound.set(.sendHighWaterMark(100_000))
                for endpoint in publish { try inbound.bind(endpoint) }
                for endpoint in subscribe { try outbound.bind(endpoint) }
                // Events flow down; subscriptions flow up so that publishers only send what someone wants.
                loop.watch(inbound) { frames in _ = try? outbound.send(frames) }
                loop.watch(outbound) { frames in _ = try? inbound.send(frames) }
            }
        } catch {
            logger.critical("event fan-out failed to bind", metadata: ["error": "\(error)"])
            await thread.shutdown()
            throw error
        }
        logger.info("event fan-out bound", metadata: ["publish": "\(publish)", "subscribe": "\(subscribe)"])
        try? await gracefulShutdown()
        await thread.shutdown()
    }
}
