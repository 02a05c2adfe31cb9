import ArgumentParser
import VoltLake

struct VoltLakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voltlake",
        abstract: "Move the Volt catalogue and its pictures into an S3 data lake, and hand out presigned picture links.",
        discussion: """
        Configuration comes from flags, then the environment, then .env in the working directory, then
        ~/.aws/credentials and ~/.aws/config (AWS_PROFILE), then defaults. `voltlake config` shows what is in effect.

        Exit status: 0 done; 1 the job ran but something failed; 2 usage or configuration error; 130 interrupted.
        """,
        version: VoltLakeVersion.current,
        subcommands: [
            MigrateCommand.self, CheckCommand.self, ConfigCommand.self, ExportCommand.self, ImagesCommand.self, PresignCommand.self,
            ServeCommand.self,
        ]
    )
}
