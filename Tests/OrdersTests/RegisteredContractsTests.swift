import IdentityService
import OmnibusContracts
import OrdersService
import Testing

/// A service's contract lists every command it takes, and the service takes every command
/// its contract lists: a client built from the contract never meets `unknown_command`.
@Suite("Services take exactly their contract's commands")
struct RegisteredContractsTests {
    @Test func identity() {
        #expect(IdentityService.commands().commandNames == IdentityCommand.all.map { $0.name }.sorted())
    }

    @Test func orders() {
        #expect(OrdersService.commands().commandNames == OrdersCommand.all.map { $0.name }.sorted())
    }
}
