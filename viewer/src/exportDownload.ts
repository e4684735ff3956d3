import { authorizationHeaders, readHttpError } from './api';

export type ExportFormat = 'csv' | 'ndjson';

/**
 * Downloads the view's filter through `/export`. The request carries the Authorization header,
 * which a plain link could not, so the answer is read here and handed to the browser as a file.
 * It is held in memory until then: for exports beyond a few hundred MB use the CLI
 * (`npm run export`) or curl, which stream to disk and resume.
 */
export async function downloadExport(
  format: ExportFormat,
  filter: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ readonly bytes: number; readonly fileName: string }> {
  const params = new URLSearchParams({ format, filter: JSON.stringify(filter) });
  const response = await fetch(`/export?${params.toString()}`, {
    headers: authorizationHeaders(),
    signal,
  });
  if (!response.ok) throw await readHttpError(response);
  const blob = await response.blob();
  const stamp = new Date()
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const fileName = `auditgraph-${stamp}.${format}`;
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The download has taken its copy once click() returns; a later tick frees ours.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return { bytes: blob.size, fileName };
}
