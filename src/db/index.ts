/**
 * The gallery database: the only code in Facet that touches IndexedDB. Stores and UI import from
 * here, never from the files behind it, so storage details (rows, migrations, sealing) stay private.
 */
export { openGallery, Gallery } from './gallery';
export { broadcastChanges, type ChangeChannelFactory, type GalleryChange } from './changes';
export type {
  AddedTemplate,
  DeletedIdentity,
  ExportedBackup,
  GalleryOptions,
  IdentitySummary,
  NewTemplate,
  NewThumbnail,
  ImportPlan,
  PackedTemplates,
} from './gallery';
export type { Identity, Template, Thumbnail } from './records';
export type {
  BackupFile,
  BackupHeader,
  GalleryCounts,
  ImportMode,
  ImportPreview,
  ImportReport,
  PersonChange,
  PersonSummary,
  SealCheck,
  SealKeySource,
} from './backup';
export { BACKUP_FORMAT, BACKUP_VERSION, IMPORT_LIMITS, checkBackupSeal, readBackup } from './backup';
export type { BackupProgress } from './pacer';
export { GalleryError, type GalleryErrorKind } from './errors';
export { DEFAULT_PBKDF2_ITERATIONS } from './crypto';
export { DB_NAME, SCHEMA_VERSION, type TemplateSource } from './schema';
export { LIMITS } from './validate';
export {
  NO_FAILURES,
  openSecurityState,
  toRecord,
  type GuardKey,
  type GuardRecord,
  type SecurityState,
} from './security';
export {
  PASSCODE_ITERATIONS,
  hashPasscode,
  openPasscodeStorage,
  passcodeProblem,
  verifyPasscode,
  type PasscodeHash,
  type PasscodeStorage,
} from './passcode';
export { MAX_NOTES_LENGTH, type PrivateNotes } from './private-notes';
