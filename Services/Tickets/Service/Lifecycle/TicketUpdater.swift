import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.update`: applies the named fields to a locked ticket under the lifecycle rules and optimistic
/// concurrency, records the change in the conversation (a system event) and publishes what happened.
struct TicketUpdater: Sendable {
    let repository = PostgresTicketRepository()
    let agents = AgentStore()

    /// Applies `input` in the caller's transaction and answers the ticket as stored afterwards.
    func update(_ input: UpdateTicket, context: OperationContext, on connection: PostgresConnection) async throws
        -> Ticket
    {
        let logger = context.logger
        guard let before = try await repository.lock(id: input.ticketID, on: connection, logger: logger) else {
            throw Problem.notFound("no ticket with id \(input.ticketID)")
        }
        if let expected = input.expectedVersion, expected != before.version {
            var problem = Problem(
                status: 412, code: "version_mismatch", title: "Precondition failed",
                detail: "ticket \(before.number) is at version \(before.version), not \(expected): someone changed it;"
                    + " review `current` and retry")
            var current = before
            current.messages = try await repository.messages(
                of: before.id, includeInternal: true, on: connection, logger: logger)
            problem.current = try JSONDocument(encoding: current)
            throw problem
        }
        if before.status == .merged {
            throw Problem.conflict("ticket \(before.number) was merged and takes no changes", code: "ticket_final")
        }
        if before.status == .closed, !input.onlyTags {
            throw Problem.conflict(
                "ticket \(before.number) is closed: only its tags may change", code: "ticket_final")
        }
        var after = try await apply(input, to: before, on: connection, logger: logger)
        let changes = Self.changes(from: before, to: after)
        guard !changes.isEmpty else { return before }
        let now = Date()
        if after.status != before.status {
            try TicketLifecycle.check(
                from: before.status, to: after.status, hasAssignee: after.assigneeID != nil, number: before.number)
            if after.status == .solved { after.solvedAt = now }
            if after.status == .closed { after.closedAt = now }
            if TicketLifecycle.isReopen(from: before.status, to: after.status) {
                after.reopenCount += 1
                after.solvedAt = nil
            }
        } else if after.status == .solved, after.assigneeID == nil {
            throw Problem.conflict(
                "ticket \(before.number) is solved and must keep an assignee", code: "invalid_transition")
        }
        let saved = try await repository.save(after, on: connection, logger: logger)
        try await repository.note(
            Self.describe(changes, before: before, after: saved), ticket: saved, on: connection, logger: logger)
        for event in try TicketEvents.events(before: before, after: saved, changes: changes) {
            try await context.record(event, on: connection)
        }
        logger.info(
            "ticket updated",
            metadata: ["ticket_id": "\(saved.id)", "version": "\(saved.version)", "changes": "\(changes)"])
        try await SLATracker().refresh(ticketID: saved.id, on: connection, logger: logger)
        let record: TicketAssigner.Record = { try await context.record($0, on: connection) }
        let assigner = TicketAssigner()
        // The previous assignee freed up when the ticket left them or left their unsolved work: backfill.
        if let previous = before.assigneeID,
            saved.assigneeID != previous || !Self.unsolved.contains(saved.status)
        {
            try await assigner.backfill(agentID: previous, record: record, on: connection, logger: logger)
        }
        // An unassigned ticket (newly unassigned, or moved to another group) is routed again.
        var current = saved
        if saved.assigneeID == nil,
            changes.contains(where: { ["assignee_id", "group", "category", "required_skills"].contains($0) })
        {
            current = try await assigner.route(saved, record: record, on: connection, logger: logger)
        }
        if !RuleScope.applying {
            try await TriggerRunner.run(.updated, ticketID: saved.id, message: nil, context: context, on: connection)
            current = try await repository.lock(id: saved.id, on: connection, logger: logger) ?? current
        }
        return current
    }

    /// The statuses that count in an agent's load.
    static let unsolved: Set<TicketStatus> = [.new, .open, .pending, .onHold]

    /// The ticket with `input`'s fields applied (not yet checked against the lifecycle, not stored).
    private func apply(_ input: UpdateTicket, to ticket: Ticket, on connection: PostgresConnection, logger: Logger)
        async throws -> Ticket
    {
        var after = ticket
        if let subject = input.subject { after.subject = subject.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let priority = input.priority { after.priority = priority }
        if let category = input.category, category != ticket.category {
            after.category = category
            after.categoryReason = "set by an agent"
            // A new category moves the ticket to that category's group, unless this update names the group.
            if !input.group.isGiven,
                let group = try await agents.group(forCategory: category, on: connection, logger: logger)
            {
                after.group = group
            }
        }
        switch input.assigneeID {
        case .keep: break
        case .clear: after.assigneeID = nil
        case .set(let agentID):
            if agentID != ticket.assigneeID {
                try await agents.requireAssignable(agentID, on: connection, logger: logger)
            }
            after.assigneeID = agentID
        }
        switch input.group {
        case .keep: break
        case .clear: after.group = nil
        case .set(let group): after.group = group
        }
        if let tags = input.tags { after.tags = PostgresTicketRepository.uniqueTags(tags) }
        if let add = input.addTags { after.tags = PostgresTicketRepository.uniqueTags(after.tags + add) }
        if let remove = input.removeTags {
            let removed = Set(remove.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() })
            after.tags.removeAll { removed.contains($0.lowercased()) }
        }
        if let skills = input.requiredSkills { after.requiredSkills = PostgresTicketRepository.uniqueTags(skills) }
        if let fields = input.customFields {
            for (key, value) in fields {
                after.customFields[key] = value.isEmpty ? nil : value
            }
        }
        switch input.orderReference {
        case .keep: break
        case .clear:
            after.orderReference = nil
            after.orderID = nil
        case .set(let reference):
            if reference != ticket.orderReference { after.orderID = nil }
            after.orderReference = reference
        }
        if let status = input.status {
            after.status = status
        } else if input.assigneeID.value != nil {
            after.status = TicketLifecycle.afterAssignment(after.status)
        }
        return after
    }

    /// The names of the fields that differ.
    static func changes(from before: Ticket, to after: Ticket) -> [String] {
        var names: [String] = []
        if before.subject != after.subject { names.append("subject") }
        if before.status != after.status { names.append("status") }
        if before.priority != after.priority { names.append("priority") }
        if before.category != after.category { names.append("category") }
        if before.assigneeID != after.assigneeID { names.append("assignee_id") }
        if before.group != after.group { names.append("group") }
        if before.tags != after.tags { names.append("tags") }
        if before.customFields != after.customFields { names.append("custom_fields") }
        if before.orderReference != after.orderReference { names.append("order_reference") }
        if before.requiredSkills != after.requiredSkills { names.append("required_skills") }
        return names
    }

    /// The system event that records a change in the conversation: "Status: new → open; Assignee: set".
    static func describe(_ changes: [String], before: Ticket, after: Ticket) -> String {
        changes.map { field in
            switch field {
            case "status": return "Status: \(before.status.rawValue) → \(after.status.rawValue)"
            case "priority": return "Priority: \(before.priority.rawValue) → \(after.priority.rawValue)"
            case "category": return "Category: \(before.category) → \(after.category)"
            case "assignee_id":
                return after.assigneeID.map { "Assigned to agent \($0.uuidString)" } ?? "Unassigned"
            case "group": return "Group: \(before.group ?? "none") → \(after.group ?? "none")"
            case "tags": return "Tags: \(after.tags.joined(separator: ", "))"
            case "order_reference": return "Order: \(after.orderReference ?? "none")"
            case "required_skills": return "Required skills: \(after.requiredSkills.joined(separator: ", "))"
            default: return "\(field.replacingOccurrences(of: "_", with: " ").capitalized) changed"
            }
        }.joined(separator: "; ")
    }
}
