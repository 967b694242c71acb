import LoyaltyService
import ServiceRuntime

/// The `loyalty` executable: the loyalty service as an MDP worker (see ServiceMain).
@main
struct LoyaltyMain {
    static func main() async throws {
        try await ServiceMain.run(try LoyaltyService.definition())
    }
}
