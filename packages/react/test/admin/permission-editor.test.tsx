import { PortcullisClientError } from '@portcullis/client';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { PermissionEditor, type PermissionEditorProps } from '../../src/index.js';
import { createTestServer, renderWithPortcullis, signUp } from '../support/test-server.js';

afterEach(cleanup);

const CATALOG = { document: ['read', 'update', 'delete'], report: ['export'] };

/** A form around the editor, showing the value it holds, as an app would. */
function Harness(props: Omit<PermissionEditorProps, 'value' | 'onChange'> & { initial?: string[] }) {
  const { initial = [], ...rest } = props;
  const [value, setValue] = useState<string[]>(initial);
  const [submitted, setSubmitted] = useState(0);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted((n) => n + 1);
      }}
    >
      <PermissionEditor value={value} onChange={setValue} {...rest} />
      <output aria-label="value">{JSON.stringify(value)}</output>
      <output aria-label="submitted">{submitted}</output>
    </form>
  );
}

async function renderEditor(
  props: Parameters<typeof Harness>[0] = {},
  config: Parameters<typeof createTestServer>[0] = { authorization: { permissions: CATALOG } },
) {
  const server = createTestServer(config);
  const browser = server.browser();
  const client = browser.client();
  await signUp(client, 'ada@example.com');
  renderWithPortcullis(<Harness {...props} />, { client });
  await screen.findByRole('checkbox', { name: /member\.read/ });
  return { browser };
}

const value = () => JSON.parse(screen.getByLabelText('value').textContent ?? '[]') as string[];
const box = (name: string) =>
  screen.getByRole('checkbox', {
    name: new RegExp(`^${name.replace(/[.*]/g, '\\$&')}(\\s|$)`),
  }) as HTMLInputElement;

describe('PermissionEditor', () => {
  it('groups the catalog by resource, a labelled checkbox per permission, in a group named Permissions', async () => {
    await renderEditor();
    const editor = screen.getByRole('group', { name: 'Permissions' });
    const document = within(editor).getByRole('group', { name: 'document' });
    expect(within(document).getAllByRole('checkbox')).toHaveLength(4);
    for (const name of ['document.*', 'document.read', 'document.update', 'document.delete']) {
      expect(
        within(document).getByRole('checkbox', { name: new RegExp(name.replace(/[.*]/g, '\\$&')) }),
      ).toBeTruthy();
    }
    // the built-in tenant permissions are part of every catalog
    expect(within(editor).getByRole('group', { name: 'member' })).toBeTruthy();
    expect(box('report.export')).toBeTruthy();
    expect(box('*')).toBeTruthy();
    // an enforced catalog: nothing to type in
    expect(screen.queryByLabelText('Add a permission')).toBeNull();
  });

  it('checks and unchecks single permissions', async () => {
    await renderEditor();
    fireEvent.click(box('document.read'));
    fireEvent.click(box('report.export'));
    expect(value()).toEqual(['document.read', 'report.export']);
    expect(box('document.read').checked).toBe(true);
    fireEvent.click(box('document.read'));
    expect(value()).toEqual(['report.export']);
  });

  it('turns a group on with resource.*, which replaces its single actions and shows them covered', async () => {
    await renderEditor({ initial: ['document.read', 'report.export'] });
    expect(box('document.*').indeterminate).toBe(true);
    fireEvent.click(box('document.*'));
    expect(value()).toEqual(['report.export', 'document.*']);
    expect(box('document.*').indeterminate).toBe(false);
    for (const name of ['document.read', 'document.update', 'document.delete']) {
      expect(box(name).checked).toBe(true);
      expect(box(name).disabled).toBe(true);
    }
    fireEvent.click(box('document.*'));
    expect(value()).toEqual(['report.export']);
    expect(box('document.read').checked).toBe(false);
    expect(box('document.read').disabled).toBe(false);
  });

  it('offers * for everything, covering every group', async () => {
    await renderEditor({ initial: ['member.read'] });
    fireEvent.click(box('*'));
    expect(value()).toEqual(['*']);
    expect(box('document.*').checked).toBe(true);
    expect(box('document.*').disabled).toBe(true);
    expect(box('member.read').disabled).toBe(true);
  });

  it('disables what the user may not grant, and keeps what is already chosen editable', async () => {
    await renderEditor({ grantable: ['document.*', 'member.read'], initial: ['report.export'] });
    expect(box('document.update').disabled).toBe(false);
    expect(box('member.read').disabled).toBe(false);
    expect(box('member.update').disabled).toBe(true);
    expect(box('*').disabled).toBe(true);
    // chosen before (say, a role someone else wrote): it can still be taken away
    expect(box('report.export').disabled).toBe(false);
    fireEvent.click(box('member.update'));
    expect(value()).toEqual(['report.export']);
    fireEvent.click(box('report.export'));
    expect(value()).toEqual([]);
    fireEvent.click(box('report.export'));
    expect(value()).toEqual([]);
  });

  it("shows the server's issues about its field inside it, and marks the permissions they name", async () => {
    const error = new PortcullisClientError('unknown_permission', {
      status: 422,
      detail: 'permissions.1: "publish" is not an action of "document" (delete, read, update)',
      issues: [
        { path: 'permissions.1', message: '"publish" is not an action of "document" (delete, read, update)' },
      ],
    });
    await renderEditor({ initial: ['document.read', 'document.publish'], error, allowCustom: true });
    const alert = within(screen.getByRole('group', { name: 'Permissions' })).getByRole('alert');
    expect(alert.textContent).toContain('document.publish: "publish" is not an action of "document"');
    const other = box('document.publish');
    expect(other.getAttribute('aria-invalid')).toBe('true');
    expect(other.getAttribute('aria-describedby')).toBe(alert.id);
    expect(box('document.read').getAttribute('aria-invalid')).toBeNull();
  });

  it('without a configured catalog, adds permissions typed by name (Enter adds, not submits), refusing what is not one', async () => {
    await renderEditor({}, {});
    const field = screen.getByLabelText('Add a permission');
    fireEvent.change(field, { target: { value: 'document.read' } });
    fireEvent.keyDown(field, { key: 'Enter' });
    expect(value()).toEqual(['document.read']);
    expect(screen.getByLabelText('submitted').textContent).toBe('0');
    // shown in its own group, where unchecking removes it
    const others = screen.getByRole('group', { name: 'Other permissions' });
    expect(within(others).getByRole('checkbox', { name: /document\.read/ })).toBeTruthy();

    fireEvent.change(field, { target: { value: 'not a permission' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    const problem = screen.getByText('A permission is "resource.action", "resource.*" or "*".');
    expect(problem.getAttribute('role')).toBe('alert');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(problem.id);
    expect(value()).toEqual(['document.read']);

    fireEvent.change(field, { target: { value: 'document.*' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(value()).toEqual(['document.*']);
    fireEvent.click(within(others).getByRole('checkbox', { name: /document\.\*/ }));
    expect(value()).toEqual([]);
  });
});
