import CustomersService
import ServiceRuntime

try await ServiceMain.run(try CustomersService.definition())
