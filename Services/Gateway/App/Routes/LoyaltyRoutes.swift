import Contracts
import Foundation
import Hummingbird
import ServiceRuntime
import Wire

/// The loyalty program over HTTP: a customer's ledger and rewards under `/v1/customers/{id}/loyalty/...`, the
/// program (rules, tiers, rewards catalogue, retention rules, follow-up tasks, win-back list, ledger checks) under
/// `/v1/loyalty/...`, and goodwill from a ticket at `/v1/tickets/{id}/goodwill`. The loyalty service decides who
/// may do what (a customer key reaches only its own account).
struct LoyaltyRoutes {
    let forwarder: ServiceForwarder

    private typealias Loyalty = Contracts.Operation.Loyalty

    private func send(
        _ operation: String, _ payload: [UInt8], _ request: Request, _ context: GatewayRequestContext,
        idempotent: Bool = false
    ) async throws -> Response {
        try await forwarder.forward(
            Loyalty.service, operation, payload: payload, request: request, context: context, idempotent: idempotent)
    }

    func register(on group: RouterGroup<GatewayRequestContext>) {
        registerCustomer(on: group)
        registerProgram(on: group)
    }

    private func registerCustomer(on group: RouterGroup<GatewayRequestContext>) {
        group.get("customers/:id/loyalty/entries") { request, context in
            let id = try context.parameters.uuid("id")
            let query = request.uri.queryParameters
            let input = ListLoyaltyEntries(
                customerID: id, limit: try CustomerRoutes.limit(query), cursor: query.get("cursor"))
            return try await send(Loyalty.listEntries, try forwarder.payload(input), request, context)
        }
        group.get("customers/:id/loyalty/redemptions") { request, context in
            let id = try context.parameters.uuid("id")
            return try await send(
                Loyalty.listRedemptions, try forwarder.payload(GetLoyaltyAccount(customerID: id)), request, context)
        }
        group.post("customers/:id/loyalty/redemptions") { request, context in
            let id = try context.parameters.uuid("id")
            let payload = try await forwarder.object(of: request, setting: ["customer_id": id.uuidString])
            return try await send(Loyalty.redeem, payload, request, context, idempotent: true)
        }
        group.post("customers/:id/loyalty/redemptions/:redemption_id/cancel") { request, context in
            let id = try context.parameters.uuid("id")
            let redemption = try context.parameters.uuid("redemption_id")
            let payload = try await forwarder.object(
                of: request, setting: ["customer_id": id.uuidString, "redemption_id": redemption.uuidString],
                emptyBodyAllowed: true)
            return try await send(Loyalty.cancelRedemption, payload, request, context, idempotent: true)
        }
        group.post("customers/:id/loyalty/bonuses") { request, context in
            try context.require(.staff)
            let id = try context.parameters.uuid("id")
            let payload = try await forwarder.object(of: request, setting: ["customer_id": id.uuidString])
            return try await send(Loyalty.awardBonus, payload, request, context, idempotent: true)
        }
        group.post("tickets/:id/goodwill") { request, context in
            try context.require([.admin, .agent])
            let id = try context.parameters.uuid("id")
            let payload = try await forwarder.object(of: request, setting: ["ticket_id": id.uuidString])
            return try await send(Loyalty.grantGoodwill, payload, request, context, idempotent: true)
        }
    }

    private func registerProgram(on group: RouterGroup<GatewayRequestContext>) {
        let none = try? forwarder.payload(LoyaltyNoInput())
        group.get("loyalty/rules") { request, context in
            try await send(Loyalty.getRules, none ?? Array("{}".utf8), request, context)
        }
        group.get("loyalty/rules/versions") { request, context in
            try context.require(.staff)
            return try await send(Loyalty.listRuleVersions, none ?? Array("{}".utf8), request, context)
        }
        group.post("loyalty/rules") { request, context in
            try context.require([.admin])
            return try await send(
                Loyalty.publishRules, try await forwarder.body(of: request), request, context, idempotent: true)
        }
        group.get("loyalty/tiers") { request, context in
            try await send(Loyalty.getTiers, none ?? Array("{}".utf8), request, context)
        }
        group.get("loyalty/rewards") { request, context in
            try await send(Loyalty.listRewards, none ?? Array("{}".utf8), request, context)
        }
        group.post("loyalty/rewards") { request, context in
            try context.require([.admin])
            let object = try await forwarder.jsonObject(of: request)
            if object["reward_id"] != nil {
                throw Problem.validation([.init(field: "reward_id", message: "is chosen by the server; PUT replaces")])
            }
            return try await send(
                Loyalty.defineReward, Array(try JSONSerialization.data(withJSONObject: object)), request, context,
                idempotent: true)
        }
        group.put("loyalty/rewards/:reward_id") { request, context in
            try context.require([.admin])
            let id = try context.parameters.uuid("reward_id")
            let payload = try await forwarder.object(of: request, setting: ["reward_id": id.uuidString])
            return try await send(Loyalty.defineReward, payload, request, context, idempotent: true)
        }
        group.get("loyalty/retention-rules") { request, context in
            try context.require(.staff)
            return try await send(Loyalty.listRetentionRules, none ?? Array("{}".utf8), request, context)
        }
        group.put("loyalty/retention-rules/:trigger") { request, context in
            try context.require([.admin])
            let payload = try await forwarder.object(
                of: request, setting: ["trigger": context.parameters.get("trigger") ?? ""])
            return try await send(Loyalty.defineRetentionRule, payload, request, context, idempotent: true)
        }
        group.get("loyalty/tasks") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            let input = ListLoyaltyTasks(
                limit: try CustomerRoutes.limit(query), cursor: query.get("cursor"), status: query.get("status"))
            return try await send(Loyalty.listTasks, try forwarder.payload(input), request, context)
        }
        group.get("loyalty/win-back") { request, context in
            try context.require(.staff)
            let query = request.uri.queryParameters
            guard let text = query.get("days"), let days = Int(text) else {
                throw Problem.validation([.init(field: "days", message: "is required: a whole number of days")])
            }
            var consented: ConsentChannel?
            if let text = query.get("consented") {
                guard let channel = ConsentChannel(rawValue: text) else {
                    let names = ConsentChannel.allCases.map(\.rawValue).joined(separator: ", ")
                    throw Problem.validation([.init(field: "consented", message: "must be one of \(names)")])
                }
                consented = channel
            }
            let input = WinBackList(
                days: days, limit: try CustomerRoutes.limit(query), cursor: query.get("cursor"), consented: consented)
            return try await send(Loyalty.winBack, try forwarder.payload(input), request, context)
        }
        group.post("loyalty/ledger/verify") { request, context in
            try context.require([.admin])
            return try await send(Loyalty.verifyLedger, none ?? Array("{}".utf8), request, context)
        }
        group.post("loyalty/ledger/rebuild") { request, context in
            try context.require([.admin])
            return try await send(Loyalty.rebuildBalances, none ?? Array("{}".utf8), request, context, idempotent: true)
        }
    }
}
