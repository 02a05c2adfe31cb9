import ArgumentParser
import Foundation
import S3
import VoltLake

struct PresignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presign",
        abstract: "Print a presigned link to a component's picture as the Volt API's JSON.",
        discussion: """
        A drop-in for `python presigned_urls.py --component-id ID --expiration HOURS`. The picture is the
        object under images/components/<id>/ (the one named <id>.<ext> first, else the first by name).
        Prints {"success":true,"data":{"componentId":…,"imageUrl":…,"expiresAt":…,"expiresInHours":…}} on
        stdout; on failure {"success":false,"error":"…"} on stdout (and the message on stderr).
        --all prints one such object per line for every component with a picture, from one listing.

        Exit status: 0 done; 1 no picture for the component, or S3 failed; 2 invalid id, expiration or
        configuration.

        Examples:
          voltlake presign --component-id mcb_b16 --expiration 24
          voltlake presign --all --expiration 1
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("component-id"), parsing: .unconditional, help: "The component's id, e.g. mcb_b16 (A-Z a-z 0-9 _ -, 1-64 characters).")
    var componentID: String?

    @Option(name: .long, parsing: .unconditional, help: "Hours the link stays valid: a whole number from 1 to 168.")
    var expiration: String = "24"

    @Flag(name: .long, help: "A link for every component that has a picture, one JSON object per line.")
    var all = false

    func run() async throws {
        do {
            let expiry = try LinkExpiry(parsing: expiration)
            let id: ComponentID?
            switch (componentID, all) {
            case (let text?, false): id = try ComponentID(validating: text)
            case (nil, true): id = nil
            case (_?, true): throw CommandFailure.usage("give either --component-id or --all, not both")
            case (nil, false): throw CommandFailure.usage("give --component-id ID (or --all)")
            }
            let configuration = try global.resolveConfiguration()
            let session = try RunSession(command: "presign", global: global)
            defer { session.close() }
            let client = try session.makeClient(configuration)
            let bucket = configuration.s3.bucket.value
            let outcome: Result<Void, PresignError>
            do {
                if let id {
                    try await presignOne(id, expiry: expiry, client: client, bucket: bucket, session: session)
                } else {
                    try await presignAll(expiry: expiry, client: client, bucket: bucket, session: session)
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            try? await client.shutdown()
            try outcome.get()
        } catch let error as PresignError {
            print(VoltAPIJSON.error(error.description))
            throw CommandFailure(message: error.description, exitCode: error.isInvalidInput ? ExitStatus.usage : ExitStatus.failed)
        } catch let failure as CommandFailure {
            print(VoltAPIJSON.error(failure.message))
            throw failure
        } catch let error as ConfigurationError {
            print(VoltAPIJSON.error(error.description))
            throw CommandFailure.usage(error.description)
        }
    }

    private func presignOne(_ id: ComponentID, expiry: LinkExpiry, client: S3Client, bucket: String, session: RunSession) async throws(PresignError) {
        guard let key = try await PictureIndex.lookup(id, client: client, bucket: bucket) else {
            throw .notFound(componentID: id.value)
        }
        let link = try PictureLinkSigner(client: client, bucket: bucket)
            .link(componentID: id.value, key: key, expiry: expiry, date: client.configuration.now())
        session.recordLink(link, key: key, bucket: bucket, client: client)
        print(VoltAPIJSON.link(link))
    }

    private func presignAll(expiry: LinkExpiry, client: S3Client, bucket: String, session: RunSession) async throws(PresignError) {
        let signer = PictureLinkSigner(client: client, bucket: bucket)
        var grouper = PictureGrouper()
        func emit(_ entry: PictureEntry) throws(PresignError) {
            let link = try signer.link(componentID: entry.componentID.value, key: entry.key, expiry: expiry, date: client.configuration.now())
            session.recordLink(link, key: entry.key, bucket: bucket, client: client)
            print(VoltAPIJSON.link(link))
        }
        do {
            for try await object in client.listAllObjects(bucket: bucket, prefix: PictureIndex.prefix) {
                if let entry = grouper.add(object.key) { try emit(entry) }
            }
        } catch let error as PresignError {
            throw error
        } catch let error as S3Error {
            throw .storage(error)
        } catch {
            throw .storage(S3Error(kind: .invalidResponse, operation: "ListObjectsV2", bucket: bucket, endpoint: "", detail: "\(error)"))
        }
        if let entry = grouper.finish() { try emit(entry) }
    }
}
