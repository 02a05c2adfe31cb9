import ArgumentParser
import VoltLake

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration and where each value came from (secrets redacted).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let configuration = try global.resolveConfiguration()
        let rows = configuration.summaryRows
        if global.json {
            Terminal.printJSON(rows)
        } else {
            print(Terminal.table([["SETTING", "VALUE", "SOURCE"]] + rows.map { [$0.name, $0.value, $0.source] }))
        }
    }
}
