import ReturnsService
import ServiceRuntime

/// The `returns` executable: the returns service as an MDP worker (see ServiceMain).
@main
struct ReturnsMain {
    static func main() async throws {
        try await ServiceMain.run(try ReturnsService.definition())
    }
}
