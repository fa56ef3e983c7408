/**
 * Functions stay small enough to read in one sitting: none in src/ or
 * workers/ is longer than 80 lines unless its doc comment says why
 * ("Longer than 80 lines because …"). A factory that grows past it is split
 * into named functions (or a class) rather than allowed to become one closure
 * of many concerns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../helpers/daemon.js';

const MAX_LINES = 80;
const REASON = /Longer than 80 lines because/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function nameOf(node: ts.SignatureDeclaration): string {
  if (node.name !== undefined) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '<anonymous>';
}

/** The doc comment of a function, or of the statement that declares it (`const f = () => …`). */
function docOf(node: ts.Node, source: ts.SourceFile): string {
  let holder: ts.Node = node;
  while (!ts.isSourceFile(holder.parent) && !ts.isClassDeclaration(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
  return (ts.getLeadingCommentRanges(source.text, holder.getFullStart()) ?? []).map((r) => source.text.slice(r.pos, r.end)).join('\n');
}

/** `file name (lines)` of every function over the limit without a stated reason. */
function longFunctions(): string[] {
  const found: string[] = [];
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'workers'))]) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        const id = `${relative(ROOT, file)} ${nameOf(node)}`;
        if (lines > MAX_LINES && !REASON.test(docOf(node, source))) found.push(`${id} (${lines} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

test(`no function in src/ or workers/ is longer than ${MAX_LINES} lines without a reason in its doc comment`, () => {
  assert.deepEqual(longFunctions(), []);
});
