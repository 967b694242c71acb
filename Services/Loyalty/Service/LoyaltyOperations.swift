import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The loyalty operations (docs/protocol.md).
enum LoyaltyOperations {
    typealias Loyalty = Contracts.Operation.Loyalty

    static func register(_ router: inout OperationRouter, _ database: Database) {
        registerAccounts(&router, database)
        registerRules(&router, database)
        registerRewards(&router, database)
        registerRetention(&router, database)
        registerLedgerChecks(&router, database)
    }

    static func requireAdmin(_ context: OperationContext) throws {
        guard [.admin, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only admins may use \(context.operation)")
        }
    }

    static func requireAgent(_ context: OperationContext) throws {
        guard [.admin, .agent, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only agents and admins may use \(context.operation)")
        }
    }

    // MARK: Accounts and ledger

    static func registerAccounts(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresAccountRepository()
        // Accounts are opened by `customer.created`; a read that arrives before that event is applied opens the
        // account itself (opening is idempotent), after asking the customers service outside any transaction.
        router.query(Loyalty.getAccount, GetLoyaltyAccount.self) { input, context in
            try context.authorize(customerID: input.customerID)
            if let account = try await database.withConnection({
                try await repository.find(customerID: input.customerID, on: $0, logger: context.logger)
            }) {
                return account
            }
            do {
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            } catch let problem as Problem where problem.status == 422 {
                throw Problem.notFound("no customer with id \(input.customerID)")
            }
            return try await database.transaction {
                try await repository.open(customerID: input.customerID, on: $0, logger: context.logger)
            }
        }

        router.query(Loyalty.listEntries, ListLoyaltyEntries.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection { connection in
                try await entries(input, on: connection, logger: context.logger)
            }
        }

        router.command(Loyalty.awardBonus, AwardLoyaltyBonus.self, status: 201) { input, context, connection in
            guard context.principal.role != .customer else {
                throw Problem.forbidden("customer keys may not award bonuses")
            }
            return try await award(input, context: context, on: connection)
        }
    }

    static func entries(_ input: ListLoyaltyEntries, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<LoyaltyEntry>
    {
        let limit = input.limit ?? 50
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let rows = try await connection.query(
            """
            SELECT entry_id, customer_id, kind, source, source_id, from_account, to_account, amount, rule_version,
                   order_id, memo, created_at, (extract(epoch FROM created_at) * 1000000)::bigint
            FROM loyalty.entries
            WHERE customer_id = \(input.customerID)
              AND (created_at, entry_id) < (CASE WHEN \(afterMicros) = \(Int64.max) THEN 'infinity'::timestamptz
                                                 ELSE 'epoch'::timestamptz + \(afterMicros) * interval '1 microsecond'
                                            END, \(afterID))
            ORDER BY created_at DESC, entry_id DESC LIMIT \(limit + 1)
            """, logger: logger)
        var found: [(LoyaltyEntry, Int64)] = []
        for try await row in rows.decode(
            (UUID, UUID, String, String, String?, String, String, Int64, Int?, UUID?, String, Date, Int64).self)
        {
            found.append(
                (
                    LoyaltyEntry(
                        entryID: row.0, customerID: row.1, kind: row.2, source: row.3, sourceID: row.4,
                        fromAccount: row.5, toAccount: row.6, amount: row.7, ruleVersion: row.8, orderID: row.9,
                        memo: row.10, createdAt: row.11), row.12
                ))
        }
        let page = Array(found.prefix(limit))
        let next =
            found.count > limit ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.entryID).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// Birthday (once per customer and year), review (once per review) and referral (both sides, once per
    /// referred customer) bonuses of the rules in force, credited to available.
    static func award(_ input: AwardLoyaltyBonus, context: OperationContext, on connection: PostgresConnection)
        async throws -> LoyaltyAccount
    {
        let version = try await RuleStore().current(on: connection, logger: context.logger)
        let rules = version.rules
        var planned: [(UUID, String, Int64, String, String)] = []  // customer, kind, points, key, summary
        switch input.kind {
        case "birthday":
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            planned.append(
                (
                    input.customerID, "earn", rules.birthdayBonus, "bonus:birthday:\(input.customerID):\(year)",
                    "Birthday bonus: \(rules.birthdayBonus) points"
                ))
        case "review":
            planned.append(
                (
                    input.customerID, "earn", rules.reviewBonus, "bonus:review:\(input.reference ?? "")",
                    "Review bonus: \(rules.reviewBonus) points"
                ))
        default:
            let referred = input.referredCustomerID ?? input.customerID
            planned.append(
                (
                    input.customerID, "referral", rules.referrerBonus, "bonus:referral:referrer:\(referred)",
                    "Referral bonus: \(rules.referrerBonus) points for referring a friend"
                ))
            planned.append(
                (
                    referred, "referral", rules.refereeBonus, "bonus:referral:referee:\(referred)",
                    "Welcome bonus: \(rules.refereeBonus) points for joining through a referral"
                ))
        }
        planned = planned.filter { $0.2 > 0 }
        guard !planned.isEmpty else {
            throw Problem.conflict("the rules in force give no \(input.kind) bonus", code: "no_bonus_configured")
        }
        var posted = 0
        let events = LoyaltyEventSink.command(context, connection)
        for (customerID, kind, points, key, summary) in planned {
            let entry = NewLedgerEntry(
                customerID: customerID, kind: kind, source: "rule", sourceID: input.reference ?? input.kind,
                from: LedgerAccount.issued, to: LedgerAccount.available, amount: points, key: key,
                lifetimeDelta: points, ruleVersion: version.version, memo: "\(input.kind) bonus")
            if let result = try await Ledger().post(entry, on: connection, logger: context.logger) {
                posted += 1
                try await events.entry(entry, result, summary: summary)
            }
        }
        guard posted > 0 else {
            throw Problem.conflict("this \(input.kind) bonus was already awarded", code: "bonus_already_awarded")
        }
        guard
            let account = try await PostgresAccountRepository().find(
                customerID: input.customerID, on: connection, logger: context.logger)
        else { throw Problem.internal("account vanished") }
        return account
    }

    // MARK: Rules and tiers

    static func registerRules(_ router: inout OperationRouter, _ database: Database) {
        router.query(Loyalty.getRules, LoyaltyNoInput.self) { _, _ in
            try await database.withConnection { try await RuleStore().current(on: $0, logger: database.logger) }
        }
        router.query(Loyalty.getTiers, LoyaltyNoInput.self) { _, _ in
            LoyaltyTierProgram(
                version: try await database.withConnection {
                    try await RuleStore().current(on: $0, logger: database.logger)
                })
        }
        router.query(Loyalty.listRuleVersions, LoyaltyNoInput.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await RuleStore().all(on: $0, logger: context.logger) }
        }
        router.command(Loyalty.publishRules, PublishLoyaltyRules.self, status: 201) { input, context, connection in
            try requireAdmin(context)
            return try await RuleStore().publish(
                input.rules, by: context.principal.keyID, on: connection, logger: context.logger)
        }
    }

    // MARK: Rewards

    static func registerRewards(_ router: inout OperationRouter, _ database: Database) {
        let rewards = Rewards()
        router.query(Loyalty.listRewards, LoyaltyNoInput.self) { _, context in
            try await database.withConnection { try await rewards.list(on: $0, logger: context.logger) }
        }
        router.command(Loyalty.defineReward, DefineLoyaltyReward.self, status: 201) { input, context, connection in
            try requireAdmin(context)
            return try await rewards.define(input, on: connection, logger: context.logger)
        }
        router.command(Loyalty.redeem, RedeemReward.self, status: 201) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            guard context.principal.role != .integration else {
                throw Problem.forbidden("integration keys may not redeem points")
            }
            guard let reward = try await rewards.find(input.rewardID, on: connection, logger: context.logger) else {
                throw Problem.validation([.init(field: "reward_id", message: "no reward with id \(input.rewardID)")])
            }
            return try await rewards.redeem(
                customerID: input.customerID, reward: reward, events: .command(context, connection), on: connection,
                logger: context.logger)
        }
        router.command(Loyalty.cancelRedemption, CancelRedemption.self, status: 200) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            return try await rewards.cancel(
                customerID: input.customerID, redemptionID: input.redemptionID, events: .command(context, connection),
                on: connection, logger: context.logger)
        }
        router.query(Loyalty.listRedemptions, GetLoyaltyAccount.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection {
                try await rewards.redemptions(of: input.customerID, on: $0, logger: context.logger)
            }
        }
    }

    // MARK: Retention

    static func registerRetention(_ router: inout OperationRouter, _ database: Database) {
        let retention = Retention()
        router.command(
            Loyalty.grantGoodwill, GrantGoodwill.self, status: 201,
            check: { input, context in
                try requireAgent(context)
                // The ticket must be the customer's (asked of the tickets service before the transaction).
                guard let services = context.services else { return }
                let ticket: Ticket
                do {
                    ticket = try await services.call(
                        Operation.Tickets.service, Operation.Tickets.get, ByID(id: input.ticketID),
                        metadata: context.downstreamMetadata())
                } catch let problem as Problem where problem.status == 404 {
                    throw Problem.validation([.init(field: "ticket_id", message: "no ticket with id \(input.ticketID)")]
                    )
                }
                guard ticket.customerID == input.customerID else {
                    throw Problem.validation([
                        .init(field: "customer_id", message: "is not the customer of ticket #\(ticket.number)")
                    ])
                }
            }
        ) { input, context, connection in
            try requireAgent(context)
            return try await retention.grant(
                input, agent: context.principal.keyID ?? context.principal.role.rawValue,
                events: .command(context, connection), on: connection, logger: context.logger)
        }
        router.query(Loyalty.listRetentionRules, LoyaltyNoInput.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await retention.list(on: $0, logger: context.logger) }
        }
        router.command(Loyalty.defineRetentionRule, RetentionRule.self, status: 200) { input, context, connection in
            try requireAdmin(context)
            return try await retention.define(input, on: connection, logger: context.logger)
        }
        router.query(Loyalty.listTasks, ListLoyaltyTasks.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await retention.tasks(input, on: $0, logger: context.logger)
            }
        }
        router.query(Loyalty.winBack, WinBackList.self) { input, context in
            try context.requireStaff()
            return try await WinBack.members(input, context: context)
        }
    }

    // MARK: Ledger checks

    static func registerLedgerChecks(_ router: inout OperationRouter, _ database: Database) {
        router.query(Loyalty.verifyLedger, LoyaltyNoInput.self) { _, context in
            try requireAdmin(context)
            return try await database.transaction {
                try await Ledger().check(rebuild: false, on: $0, logger: context.logger)
            }
        }
        router.command(Loyalty.rebuildBalances, LoyaltyNoInput.self, status: 200) { _, context, connection in
            try requireAdmin(context)
            return try await Ledger().check(rebuild: true, on: connection, logger: context.logger)
        }
    }
}

/// The win-back list: the customers service's segment `win-back-<days>d` (customers with at least one order and
/// none for `days` days), defined on first use, then its members (optionally only those who consented to a
/// channel).
enum WinBack {
    static func members(_ input: WinBackList, context: OperationContext) async throws -> JSONDocument {
        guard let services = context.services else {
            throw Problem.serviceUnavailable("the customers service is not reachable")
        }
        let name = "win-back-\(input.days)d"
        let service = RequestMetadata(
            requestID: UUID().uuidString, idempotencyKey: "loyalty.win_back:\(name)",
            principal: Principal(role: .service), deadlineMillis: context.metadata.deadlineMillis)
        let _: JSONDocument = try await services.call(
            Operation.Customers.service, Operation.Customers.defineSegment,
            DefineSegment(
                name: name, description: "Loyalty win-back: no order for \(input.days) days",
                rule: SegmentRule(minOrders: 1, minDaysSinceLastOrder: input.days)),
            metadata: service)
        return try await services.call(
            Operation.Customers.service, Operation.Customers.segmentMembers,
            SegmentMembers(name: name, limit: input.limit, cursor: input.cursor, consented: input.consented),
            metadata: context.downstreamMetadata())
    }
}
