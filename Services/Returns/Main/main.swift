import ReturnsService
import ServiceRuntime

try await ServiceMain.run(try ReturnsService.definition())
