import Contracts
import Wire

/// The ticket status rules (docs/architecture.md, "Ticket lifecycle"). Pure: the callers persist what it decides.
///
/// - `new` is where a ticket starts and is never returned to; assigning a `new` ticket makes it `open`.
/// - `open`, `pending` and `on_hold` move freely between each other; any of them (and `new`) may be `solved`, but
///   only with an assignee.
/// - `solved` may be reopened (`open`, `pending`, `on_hold`) or `closed`; it closes by itself after the configured
///   time.
/// - `closed` and `merged` are final: a closed ticket takes tag changes only, a merged one nothing.
/// - `closed` is reached from `solved` only; `merged` only through the merge operation.
/// - A public customer message reopens a `pending`, `on_hold` or `solved` ticket (`new` stays `new`).
public enum TicketLifecycle {
    /// Refuses moving a ticket from `from` to `to` (with `hasAssignee` after the change) with a 409
    /// `invalid_transition` that says why. Moving to the same status is allowed (nothing changes).
    public static func check(from: TicketStatus, to: TicketStatus, hasAssignee: Bool, number: Int64) throws {
        guard from != to else { return }
        func refuse(_ why: String) -> Problem {
            Problem.conflict(
                "ticket \(number) cannot go from \(from.rawValue) to \(to.rawValue): \(why)", code: "invalid_transition"
            )
        }
        switch from {
        case .closed: throw refuse("a closed ticket is final (a customer reply opens a follow-up)")
        case .merged: throw refuse("a merged ticket is final")
        case .new, .open, .pending, .onHold, .solved: break
        }
        switch to {
        case .new: throw refuse("a ticket never returns to new")
        case .merged: throw refuse("use the merge operation")
        case .closed where from != .solved: throw refuse("only a solved ticket can be closed; solve it first")
        case .solved where !hasAssignee: throw refuse("assign it to an agent first")
        case .open, .pending, .onHold, .solved, .closed: return
        }
    }

    /// The status after an update that sets `assigned` (an agent) without naming a status: `new` becomes `open`.
    public static func afterAssignment(_ status: TicketStatus) -> TicketStatus {
        status == .new ? .open : status
    }

    /// The status after a public customer message on a ticket in `status` (not closed or merged): a pending,
    /// on-hold or solved ticket is open again.
    public static func afterCustomerReply(_ status: TicketStatus) -> TicketStatus {
        switch status {
        case .pending, .onHold, .solved: return .open
        case .new, .open, .closed, .merged: return status
        }
    }

    /// Whether moving from `from` to `to` is a reopening (counted in `reopen_count` and `ticket.reopened`): leaving
    /// `solved` for anything but `closed`.
    public static func isReopen(from: TicketStatus, to: TicketStatus) -> Bool {
        from == .solved && to != .solved && to != .closed
    }

    /// Whether a ticket in `status` takes changes other than tags.
    public static func isFinal(_ status: TicketStatus) -> Bool {
        status == .closed || status == .merged
    }
}
