import Foundation
import ServiceRuntime
import TestSupport
import Testing

/// The fan-out only wakes consumers: a flood of notifications, lost notifications or notifications for events that
/// are not (yet) in the log never change what a consumer applies.
@Suite("Event fan-out is only a hint", .enabled(if: TestDatabase.isConfigured))
struct EventsFanoutTests {
    @Test func aFloodOfHintsAroundASlowConsumerLosesNothingAndAppliesNothingTwice() async throws {
        let url = try await ConsumerFixture.database()
        let publish = "tcp://127.0.0.1:\(try freePort())"
        let subscribe = "tcp://127.0.0.1:\(try freePort())"
        let fanout = EventFanout(
            publishEndpoints: [publish], subscribeEndpoints: [subscribe], logger: ConsumerFixture.logger)
        let notifier = EventNotifier(endpoint: publish, logger: ConsumerFixture.logger)
        let services = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await fanout.run() }
                group.addTask { try await notifier.run() }
                try await group.waitForAll()
            }
        }
        defer { services.cancel() }

        // A slow handler, so the consumer falls far behind the notifications.
        let tally = HandlerTally()
        var handlers = ConsumerFixture.handlers(tally)
        let inner = handlers.handlers["test.happened"]
        handlers.on("test.happened") { event, connection, logger in
            try await Task.sleep(for: .milliseconds(2))
            try await inner?(event, connection, logger)
        }
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers, subscribeEndpoint: subscribe) {
            try await Task.sleep(for: .milliseconds(300))  // subscribed
            let real = try await ConsumerFixture.append(url: url, aggregates: (0..<50).map { "agg-\($0 % 5)" })
            // Hints for events that are not in the log must change nothing.
            let phantom = real.map { event -> EventEnvelope in
                var copy = event
                copy.id = UUID()
                copy.position += 1_000_000
                return copy
            }
            for _ in 0..<200 { notifier.publish(real + phantom) }  // 20,000 notifications
            try await ConsumerFixture.bulkAppend(url: url, from: 0, count: 150, aggregates: 3)
            try await ConsumerFixture.waitUntil("200 effects", timeout: .seconds(120)) {
                try await ConsumerFixture.effects(url) >= 200
            }
            try await Task.sleep(for: .milliseconds(300))  // any duplicate would land by now
        }
        #expect(try await ConsumerFixture.effects(url) == 200)
        #expect(tally.total == 200)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
    }
}

@Suite("Grouped commits", .enabled(if: TestDatabase.isConfigured))
struct EventsGroupedCommitTests {
    /// Events are applied in groups of up to `commitSize` per transaction; a failing handler in a group rolls the
    /// whole group back and its events are then applied one at a time, so every effect still lands exactly once.
    @Test func aFailureInsideAGroupStillAppliesEveryEventOnce() async throws {
        let url = try await ConsumerFixture.database()
        let tally = HandlerTally()
        let handlers = ConsumerFixture.handlers(tally) { event, run in
            if event.aggregateID == "bulk-7" && run == 1 { throw HandlerFailure() }
        }
        var configuration = ConsumerFixture.fast
        configuration.commitSize = 16
        try await ConsumerFixture.bulkAppend(url: url, from: 0, count: 400, aggregates: 10)
        try await ConsumerFixture.withConsumer(url: url, handlers: handlers, configuration: configuration) {
            try await ConsumerFixture.waitUntil("400 effects", timeout: .seconds(120)) {
                try await ConsumerFixture.effects(url) >= 400
            }
        }
        #expect(try await ConsumerFixture.effects(url) == 400)
        #expect(try await ConsumerFixture.applied(url) == 400)
        #expect(try await ConsumerFixture.deadLetters(url) == 0)
        #expect(try await ConsumerFixture.outOfOrder(url) == 0)
    }
}
