/** Ids of the jobs whose pino log lines in `logs` carry the message `msg` (e.g. "job started"). */
export function jobIdsLogged(logs: string, msg: string): Set<string> {
  const needle = `"msg":${JSON.stringify(msg)}`;
  return new Set(
    logs.split('\n').flatMap((line) => {
      if (!line.includes(needle)) return [];
      try {
        return [(JSON.parse(line) as { jobId: string }).jobId];
      } catch {
        return [];
      }
    }),
  );
}
