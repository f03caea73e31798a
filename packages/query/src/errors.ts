/** Query errors, with the Prometheus API `errorType` each maps to. */
export type QueryErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled';

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly type: QueryErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** A parse or type error at a position of the query, formatted as Prometheus does (`1:5: parse error: …`). */
export function parseError(query: string, pos: number, message: string): QueryError {
  const before = query.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return new QueryError('bad_data', `${line}:${col}: parse error: ${message}`);
}
