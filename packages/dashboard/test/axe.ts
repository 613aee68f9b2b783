/**
 * The accessibility check every browser test runs on the pages it visits:
 * axe-core (through @axe-core/playwright) with the WCAG 2.1 A and AA rules
 * and best practices. A violation fails the test, listing each rule, its
 * impact, and the elements that break it.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** The page's violations, one line per rule with up to three offending selectors. */
export async function axeViolations(page: Page): Promise<string[]> {
  // @axe-core/playwright types its page as playwright's; playwright-core's is the same object.
  const results = await new AxeBuilder({ page: page as never }).withTags(TAGS).analyze();
  return results.violations.map((v) => {
    const where = v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(' '))
      .join(', ');
    return `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${where}`;
  });
}

/** Fails with the list when the page has any violation. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`axe found ${violations.length} violation(s) on ${what}:\n${violations.join('\n')}`);
  }
}
