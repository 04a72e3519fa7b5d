import { describe, expect, it } from 'vitest';
import { alertSubject, isSubjectToken, subjectToken, summarySubject, toSubjectToken } from './subjects.js';

describe('subject tokens', () => {
  it('the schema accepts exactly what the subject builders accept', () => {
    const samples = ['edge-1', 'a_B-9', 'x'.repeat(64), 'x'.repeat(65), '', 'a.b', 'a b', 'a*', 'a>', 'é'];
    for (const value of samples) {
      const built = (() => {
        try {
          summarySubject(value);
          alertSubject(value);
          return true;
        } catch {
          return false;
        }
      })();
      expect(subjectToken.safeParse(value).success, value).toBe(built);
      expect(isSubjectToken(value), value).toBe(built);
    }
  });

  it('refuses with one line that says what a token is', () => {
    const result = subjectToken.safeParse('a.b');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['expected 1-64 letters, digits, "_" or "-"']);
  });

  it('makes a token of a host name: other characters become "-", cut to 64', () => {
    expect(toSubjectToken('edge 1')).toBe('edge-1');
    expect(toSubjectToken('büro')).toBe('b-ro');
    expect(toSubjectToken('h'.repeat(80))).toBe('h'.repeat(64));
    expect(isSubjectToken(toSubjectToken('a.b*c>d'))).toBe(true);
    expect(toSubjectToken('')).toBe('');
  });
});
