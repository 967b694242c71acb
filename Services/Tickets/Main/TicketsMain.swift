import ServiceRuntime
import TicketsService

/// The `tickets` executable: the tickets service as an MDP worker (see ServiceMain).
@main
struct TicketsMain {
    static func main() async throws {
        try await ServiceMain.run(try TicketsService.definition())
    }
}
