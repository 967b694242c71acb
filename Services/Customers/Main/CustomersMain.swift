import CustomersService
import ServiceRuntime

/// The `customers` executable: the customers service as an MDP worker (see ServiceMain).
@main
struct CustomersMain {
    static func main() async throws {
        try await ServiceMain.run(try CustomersService.definition())
    }
}
