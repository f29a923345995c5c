// `ccmux replay`: play a session's recording in this terminal with its timing; pause, step, seek, jump.
import { CcmuxError, EXIT } from '../errors';
import { RecordingSource } from '../recording/replay/recording-source';
import { largestSize } from '../recording/replay/recording-size';
import { dumpRecording } from '../recording/replay/replay-dump';
import { replayInTerminal } from '../recording/replay/replay-terminal';
import { durationOption, formatClock } from '../recording/replay/time-format';
import { findRecording, openRecordings } from '../recording/recordings';
import type { CommandContext, CommandSpec } from './command';
import { stringOption } from './options';
import { terminalSize } from '../client/terminal-size';

function timeOption(context: CommandContext, name: string, flag: string): number | undefined {
  const text = stringOption(context, name);
  return text === undefined ? undefined : durationOption(flag, text);
}

export const replayCommand: CommandSpec = {
  name: 'replay',
  args: '<name>',
  summary: "play a session's recording here, with its timing (running, ended or lost; no daemon needed)",
  group: 'Recordings',
  examples: [
    'ccmux replay build',
    'ccmux replay claude -s 2 -i 1          # twice as fast, no pause longer than 1 s',
    'ccmux replay claude --from 1m30s --to 2:45',
    'ccmux replay build > build.out         # not a terminal: the bytes, without timing',
    '# keys: space pause/play  . step  +/- speed ×2/÷2  ←/→ seek 5 s  ] next marker or event  q quit',
  ],
  options: [
    { flags: '-s, --speed <factor>', description: 'playback speed (default 1; 2 is twice as fast, 0.5 half)' },
    { flags: '-i, --idle-limit <seconds>', description: 'play every pause in the output as at most this long' },
    { flags: '--from <time>', description: 'start this far into the session: 90, 90s, 1m30s or 1:30' },
    { flags: '--to <time>', description: 'stop this far into the session' },
  ],
  async run(context) {
    const speedText = stringOption(context, 'speed') ?? '1';
    const speed = Number(speedText);
    if (!(speed >= 1 / 64 && speed <= 64)) throw new CcmuxError('usage', `--speed expects a factor from 1/64 to 64, e.g. 2 or 0.5 (got "${speedText}")`);
    const idleLimit = timeOption(context, 'idleLimit', '--idle-limit');
    if (idleLimit !== undefined && idleLimit <= 0) throw new CcmuxError('usage', '--idle-limit must be above 0 seconds');
    const from = timeOption(context, 'from', '--from');
    const to = timeOption(context, 'to', '--to');
    if (from !== undefined && to !== undefined && to < from) throw new CcmuxError('usage', '--to must not be before --from');

    const store = openRecordings(context.paths);
    try {
      const meta = findRecording(store, context.args[0]!);
      if (process.env.CCMUX_SESSION === meta.id) {
        throw new CcmuxError('usage', `cannot replay ${meta.name} from inside it: its own output would play back into it`);
      }
      const source = new RecordingSource(store, meta);
      if (from !== undefined && from > source.endTime && !source.live) {
        throw new CcmuxError('usage', `--from ${formatClock(from)} is past the end of the recording (${formatClock(source.endTime)})`);
      }
      if (!process.stdout.isTTY) {
        await dumpRecording(source, { from, to }, process.stdout);
        return EXIT.ok;
      }
      const size = { cols: meta.cols, rows: meta.rows };
      const needed = largestSize(source.events, from ?? 0, to ?? Infinity, size);
      const { cols: columns, rows } = terminalSize();
      const warned = needed.cols > columns || needed.rows > rows;
      if (warned) {
        process.stderr.write(
          `ccmux: warning: the recording needs ${needed.cols}x${needed.rows} but this terminal is ${columns}x${rows}; lines will wrap (enlarge it for an exact replay)\n`,
        );
      }
      return await replayInTerminal(source, { name: meta.name, speed, idleLimit, from: from ?? 0, to, size, warned });
    } finally {
      await store.close();
    }
  },
};
