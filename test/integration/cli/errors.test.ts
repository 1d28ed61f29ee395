/** The command line's answers to a user's mistakes: a clear message, a non-zero exit, no stack trace. */
import { runCli } from '../../helpers/run-cli.js';

describe('hookstream command-line errors', () => {
  it.each([
    [['replay', 'no/such/file.json', '--out', '/tmp/hookstream-never'], /no such file or folder: no\/such\/file\.json/],
    [['replay', 'events', '--rules', 'no/such/rules'], /rule path not found: no\/such\/rules/],
    [['replay', 'events', '--mode', 'sometimes'], /argument 'sometimes' is invalid/],
    [['replay', 'events', '--look-ahead', 'soon'], /"soon" is not a non-negative number/],
    [['replay'], /missing required argument 'inputs'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', (args, message) => {
    const { status, stderr } = runCli(args);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.each([[['--help']], [['replay', '--help']], [['rules', 'check', '--help']]])('%j prints usage', (args) => {
    const { status, stdout } = runCli(args);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: hookstream/);
  });
});
