import Foundation
import S3

extension S3RequestRecord: S3RequestRecordConvertible {
    public func auditEvent(at date: Date) -> AuditEvent {
        AuditEvent(record: self, at: date)
    }
}
