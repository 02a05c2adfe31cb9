import ArgumentParser
import Foundation
import VoltLake

/// Runs the command tree with voltlake's exit codes: 0 done, 1 some items failed, 2 usage or configuration error, 130 interrupted.
@main
enum EntryPoint {
    static func main() async {
        let code: Int32
        do {
            var command = try VoltLakeCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { Terminal.error(failure.message) }
            code = failure.exitCode
        } catch let error as ConfigurationError {
            Terminal.error(error.description)
            code = ExitStatus.usage
        } catch {
            let exit = VoltLakeCommand.exitCode(for: error)
            let message = VoltLakeCommand.fullMessage(for: error)
            if exit == .success {
                if !message.isEmpty { print(message) }
                code = 0
            } else if exit == .validationFailure {
                if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
                code = ExitStatus.usage
            } else if exit == .failure, !(error is ExitCode) {
                Terminal.error("\(error)")
                code = ExitStatus.failed
            } else {
                if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
                code = exit.rawValue
            }
        }
        exit(code)
    }
}

/// voltlake's documented exit statuses.
enum ExitStatus {
    static let success: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let interrupted: Int32 = 130
}

/// An error that already carries its user-facing message and exit status.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32

    static func failed(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: ExitStatus.failed) }
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: ExitStatus.usage) }
}
