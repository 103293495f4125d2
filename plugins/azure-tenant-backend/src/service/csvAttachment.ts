import express from 'express';

/** Answers a request with a CSV file that the browser saves as `filename` rather than shows. */
export function sendCsvAttachment(
  res: express.Response,
  filename: string,
  csv: string,
): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .send(csv);
}
