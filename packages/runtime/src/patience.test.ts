import { describe, expect, it } from 'vitest';
import { Patience } from './patience.ts';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('Patience', () => {
  it('answers work that settles in time, and the fallback for work past the limit, many calls at once', async () => {
    const patience = new Patience(100);
    const answers = await Promise.all([
      patience.within(after(5, 'fast'), () => 'late'),
      patience.within(after(400, 'slow'), () => 'late'),
      patience.within(after(30, 'fast too'), () => 'late'),
      patience.within(new Promise<string>(() => undefined), () => 'never settles'),
    ]);
    // 'late', not 'slow': released at the limit, not when the slow work ended.
    expect(answers).toEqual(['fast', 'late', 'fast too', 'never settles']);
  });

  it('gives each call its own limit, counted from when it came', async () => {
    const patience = new Patience(100);
    const first = patience.within(after(150, 'first'), () => 'first gave up');
    await after(60, undefined);
    // Came 60 ms later: its 80 ms of work ends inside its own limit (at 160 ms), past the first one's (100 ms).
    const second = patience.within(after(80, 'second'), () => 'second gave up');
    expect(await Promise.all([first, second])).toEqual(['first gave up', 'second']);
  });

  it("passes the work's error on, and the fallback's", async () => {
    const patience = new Patience(50);
    await expect(patience.within(Promise.reject(new Error('refused')), () => 'x')).rejects.toThrow('refused');
    await expect(
      patience.within(after(200, 'slow'), () => {
        throw new Error('nothing known');
      }),
    ).rejects.toThrow('nothing known');
  });
});
