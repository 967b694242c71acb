import Foundation
import SLA
import Testing

@Suite("SLA policies: selection, validation, JSON")
struct PolicyTests {
    private let targets = SLATargets(firstReply: 3600)

    private var policies: SLAPolicySet {
        SLAPolicySet([
            SLAPolicy(id: "high", priority: .high, targets: targets),
            SLAPolicy(id: "high-chat", priority: .high, channel: "chat", targets: targets),
            SLAPolicy(id: "high-vip", priority: .high, segment: "vip", targets: targets),
            SLAPolicy(id: "high-wholesale", priority: .high, segment: "wholesale", targets: targets),
            SLAPolicy(id: "high-vip-chat", priority: .high, segment: "vip", channel: "chat", targets: targets),
            SLAPolicy(id: "urgent", priority: .urgent, targets: targets),
        ])
    }

    @Test("the most specific matching policy wins: segment and channel, segment, channel, neither")
    func selection() {
        let cases: [(SLAPriority, Set<String>, String?, String)] = [
            (.high, [], "email", "high"),
            (.high, [], "chat", "high-chat"),
            (.high, ["vip"], "email", "high-vip"),
            (.high, ["vip"], "chat", "high-vip-chat"),
            (.high, ["wholesale"], "chat", "high-wholesale"),  // a segment beats a channel
            (.high, ["lapsed"], nil, "high"),
            (.urgent, ["vip"], "chat", "urgent"),
        ]
        for (priority, segments, channel, expected) in cases {
            #expect(
                policies.policy(priority: priority, segments: segments, channel: channel)?.id == expected,
                "\(priority) \(segments) \(channel ?? "-")")
        }
    }

    @Test("no policy for a priority means no SLA")
    func noMatch() {
        #expect(policies.policy(priority: .low) == nil)
        #expect(SLAPolicySet([]).policy(priority: .normal) == nil)
    }

    @Test("equally specific policies: the first in the list wins")
    func ties() {
        #expect(policies.policy(priority: .high, segments: ["wholesale", "vip"], channel: "email")?.id == "high-vip")
        let reordered = SLAPolicySet(policies.policies.reversed())
        #expect(
            reordered.policy(priority: .high, segments: ["wholesale", "vip"], channel: "email")?.id == "high-wholesale")
    }

    @Test("specificity values")
    func specificity() {
        #expect(policies.policies.map(\.specificity) == [0, 1, 2, 2, 3, 0])
    }

    @Test("invalid targets, thresholds and duplicates are reported by path")
    func validation() {
        let set = SLAPolicySet([
            SLAPolicy(
                id: "a", priority: .low, targets: SLATargets(firstReply: 0, resolution: -5), nearBreach: .fraction(1.5)),
            SLAPolicy(id: "a", priority: .low, targets: SLATargets(), nearBreach: .seconds(0)),
            SLAPolicy(id: "", priority: .normal, segment: "", channel: "", targets: targets),
        ])
        #expect(
            set.validate() == [
                SLAFieldIssue("[0].targets.first_reply", "must be a positive number of business seconds"),
                SLAFieldIssue("[0].targets.resolution", "must be a positive number of business seconds"),
                SLAFieldIssue("[0].near_breach.fraction", "must be between 0 and 1 (exclusive)"),
                SLAFieldIssue("[1].targets", "must set at least one of first_reply, next_reply, resolution"),
                SLAFieldIssue("[1].near_breach.seconds", "must be a positive number of business seconds"),
                SLAFieldIssue("[1].id", "duplicates the id of [0]"),
                SLAFieldIssue("[1]", "has the same priority, segment and channel as [0] and could never apply"),
                SLAFieldIssue("[2].id", "must not be empty"),
                SLAFieldIssue("[2].segment", "must not be empty when given"),
                SLAFieldIssue("[2].channel", "must not be empty when given"),
            ])
        #expect(policies.validate().isEmpty)
    }

    @Test("policies decode from snake_case JSON and encode back")
    func coding() throws {
        let json = """
            [{"id": "vip-urgent", "priority": "urgent", "segment": "vip", "channel": "chat",
              "targets": {"first_reply": 600, "next_reply": 900, "resolution": 14400},
              "near_breach": {"seconds": 300}},
             {"id": "normal", "priority": "normal", "targets": {"resolution": 86400}, "near_breach": {"fraction": 0.25}},
             {"id": "low", "priority": "low", "targets": {"first_reply": 86400}}]
            """
        let set = try JSONDecoder().decode(SLAPolicySet.self, from: Data(json.utf8))
        #expect(set.policies.map(\.id) == ["vip-urgent", "normal", "low"])
        #expect(set.policies[0].targets == SLATargets(firstReply: 600, nextReply: 900, resolution: 14400))
        #expect(set.policies[0].nearBreachThreshold == .seconds(300))
        #expect(set.policies[1].nearBreachThreshold == .fraction(0.25))
        #expect(set.policies[2].nearBreachThreshold == .standard)
        #expect(try JSONDecoder().decode(SLAPolicySet.self, from: JSONEncoder().encode(set)) == set)
    }

    @Test("a threshold with both or neither of fraction and seconds, or an unknown priority, does not decode")
    func badJSON() {
        for json in [
            #"{"id": "x", "priority": "high", "targets": {"first_reply": 60}, "near_breach": {"fraction": 0.2, "seconds": 60}}"#,
            #"{"id": "x", "priority": "high", "targets": {"first_reply": 60}, "near_breach": {}}"#,
            #"{"id": "x", "priority": "critical", "targets": {"first_reply": 60}}"#,
        ] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLAPolicy.self, from: Data(json.utf8)) }
        }
    }
}
