import { formatSize } from "./upload";
import type { Upload } from "./useUploads";

/** The files of the message being written: name, size, progress, and a way to drop each. */
export function UploadChips({ uploads, onRemove }: { uploads: Upload[]; onRemove: (key: string) => void }) {
  if (uploads.length === 0) return null;
  return (
    <ul className="upload-chips" aria-label="Files to send">
      {uploads.map((upload) => {
        const name = upload.file.name;
        const percent = Math.round(upload.progress * 100);
        return (
          <li key={upload.key} className={`upload-chip upload-chip--${upload.state}`}>
            <span className="upload-chip__name" title={name}>
              {name}
            </span>
            <span className="upload-chip__size">{formatSize(upload.file.size)}</span>
            {upload.state === "uploading" && (
              <progress className="upload-chip__progress" max={100} value={percent} aria-label={`Uploading ${name}`}>
                {percent}%
              </progress>
            )}
            {upload.state === "ready" && <span className="upload-chip__status">Ready</span>}
            <button
              type="button"
              className="upload-chip__remove"
              aria-label={upload.state === "uploading" ? `Cancel upload of ${name}` : `Remove ${name}`}
              onClick={() => onRemove(upload.key)}
            >
              ×
            </button>
            {upload.error && (
              <span role="alert" className="upload-chip__error">
                {upload.error}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
