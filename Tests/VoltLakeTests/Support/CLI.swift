import Foundation

/// Runs the built `voltlake` executable as a user would, with a chosen environment and working directory.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["VOLTLAKE_BIN"] { return URL(fileURLWithPath: path) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("voltlake")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return LocalStack.packageRoot.appendingPathComponent(".build/debug/voltlake")
    }

    /// A fresh, empty working directory and HOME, so no stray .env or ~/.aws is read.
    static func sandbox() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voltlake-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("home"), withIntermediateDirectories: true)
        return url
    }

    /// Runs voltlake; `launcher` (e.g. `setpriv --reuid …`) runs it as another user, `executable` a copy of it.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL,
                    launcher: [String] = [], executable: URL? = nil) throws -> Result {
        let process = Process()
        let program = executable ?? binary
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + [program.path] + arguments
        } else {
            process.executableURL = program
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = ["PATH": "/usr/bin:/bin", "HOME": directory.appendingPathComponent("home").path, "NO_COLOR": "1"]
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
