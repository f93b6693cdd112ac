import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PolicyEditor } from '../../src/index.js';
import { renderWithPortcullis } from '../support/test-server.js';
import { adminWorld } from './admin-world.js';

afterEach(cleanup);

const form = () => screen.getByRole('form', { name: /^(New|Edit) policy$/ });
const box = (scope: HTMLElement, name: string) =>
  within(scope).getByRole('checkbox', {
    name: new RegExp(`^${name.replace(/[.*]/g, '\\$&')}(\\s|$)`),
  }) as HTMLInputElement;
const policyItems = () =>
  screen.queryAllByRole('listitem').filter((li) => li.classList.contains('pc-policy'));
const type = (label: string, value: string) =>
  fireEvent.change(within(form()).getByLabelText(label), { target: { value } });
const posts = (browser: { requests: Array<{ method: string; path: string }> }) =>
  browser.requests.filter((r) => r.method !== 'GET' && /\/policies(\/|$)/.test(r.path)).length;

async function renderAsOwner() {
  const world = await adminWorld();
  const client = world.owner.client();
  renderWithPortcullis(<PolicyEditor />, { client, activeTenantId: world.tenantId });
  await screen.findByText('No policies yet: roles alone decide.');
  return world;
}

describe('PolicyEditor', () => {
  it('creates a policy with a JSON condition and lists it', async () => {
    const world = await renderAsOwner();
    expect(screen.getByRole('heading', { name: 'Policies' })).toBeTruthy();
    fireEvent.change(within(form()).getByLabelText('Effect'), { target: { value: 'deny' } });
    fireEvent.click(box(within(form()).getByRole('group', { name: 'Actions' }), 'member.read'));
    type('Resource', '*');
    type('Description', 'Members are read from the office only');
    type('Condition', '{\n  "not": { "cidr": [{ "ref": "context.ip" }, "10.0.0.0/8"] }\n}');
    fireEvent.click(within(form()).getByRole('button', { name: 'Create policy' }));

    await waitFor(() => expect(policyItems()).toHaveLength(1));
    const [item] = policyItems() as [HTMLElement];
    expect(within(item).getByText('Deny')).toBeTruthy();
    expect(within(item).getByText('member.read')).toBeTruthy();
    expect(within(item).getByText('Members are read from the office only')).toBeTruthy();
    expect(item.querySelector('pre')?.textContent).toContain('"cidr"');
    expect(await screen.findByText('Policy saved.')).toBeTruthy();
    // the form is ready for the next one
    expect((within(form()).getByLabelText('Condition') as HTMLTextAreaElement).value).toBe('');

    const stored = await world.ownerClient.tenants.policies.list(world.tenantId);
    expect(stored.items).toEqual([
      expect.objectContaining({
        effect: 'deny',
        actions: ['member.read'],
        resource: '*',
        description: 'Members are read from the office only',
        condition: { not: { cidr: [{ ref: 'context.ip' }, '10.0.0.0/8'] } },
      }),
    ]);
  });

  it('shows a JSON syntax error with its line and column beside the condition, and sends nothing', async () => {
    const world = await renderAsOwner();
    fireEvent.click(box(form(), 'member.read'));
    type('Condition', '{\n  "eq": [{ "ref": "subject.id" }, "x", ]\n}');
    // not while typing: on leaving the field
    expect(within(form()).queryByRole('alert')).toBeNull();
    fireEvent.blur(within(form()).getByLabelText('Condition'));
    const alert = within(form()).getByRole('alert');
    expect(alert.textContent).toBe('Line 2, column 38: Trailing comma: remove the last ","');
    const condition = within(form()).getByLabelText('Condition');
    expect(condition.getAttribute('aria-invalid')).toBe('true');
    expect(condition.getAttribute('aria-describedby')).toContain(alert.id);

    fireEvent.click(within(form()).getByRole('button', { name: 'Create policy' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(posts(world.owner)).toBe(0);
    // fixing it clears the complaint
    type('Condition', '{ "eq": [{ "ref": "subject.id" }, "x"] }');
    expect(within(form()).queryByRole('alert')).toBeNull();
  });

  it("shows the server's invalid_policy issues next to the fields they name, condition issues at their line", async () => {
    const world = await renderAsOwner();
    fireEvent.click(box(form(), 'member.read'));
    type('Resource', 'two words');
    type(
      'Condition',
      '{\n  "and": [\n    { "eq": [{ "ref": "subject.id" }, "x"] },\n    { "regex": [{ "ref": "subject.email" }, ".*"] }\n  ]\n}',
    );
    fireEvent.click(within(form()).getByRole('button', { name: 'Create policy' }));

    const resource = within(form()).getByLabelText('Resource');
    await waitFor(() => expect(resource.getAttribute('aria-invalid')).toBe('true'));
    const resourceError = document.getElementById(
      (resource.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .find((id) => id.endsWith('resource-error')) ?? '',
    );
    expect(resourceError?.textContent).toBe('A resource type is an identifier or "*"');

    const condition = within(form()).getByLabelText('Condition');
    expect(condition.getAttribute('aria-invalid')).toBe('true');
    const conditionError = within(form())
      .getAllByRole('alert')
      .find((alert) => alert.id.endsWith('condition-error'));
    expect(conditionError?.textContent).toMatch(
      /^Line 4, column 5: Unknown operator "regex"; expected one of and, or/,
    );
    expect(condition.getAttribute('aria-describedby')).toContain(conditionError?.id);
    // nothing beside the button: every issue sits at its field
    expect(within(form()).getAllByRole('alert')).toHaveLength(2);
    expect(posts(world.owner)).toBe(1);
    expect(policyItems()).toHaveLength(0);
  });

  it("saves a policy whose references nothing provides, shows the server's warnings at their line, and keeps it open for fixing", async () => {
    await renderAsOwner();
    fireEvent.click(box(form(), 'member.read'));
    type('Condition', '{\n  "eq": [{ "ref": "context.weekday" }, "sat"]\n}');
    fireEvent.click(within(form()).getByRole('button', { name: 'Create policy' }));

    const status = await screen.findByText('Saved, but check these references:');
    const warning = status.parentElement as HTMLElement;
    expect(warning).toBe(screen.getByRole('status'));
    expect(warning.textContent).toMatch(/Line 2, column 19: Context\.weekday/);
    expect(policyItems()).toHaveLength(1);
    expect(screen.getByRole('form', { name: 'Edit policy' })).toBeTruthy();

    type('Condition', '{\n  "eq": [{ "ref": "context.utcWeekday" }, 6]\n}');
    fireEvent.click(within(form()).getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText('Policy saved.')).toBeTruthy();
    expect(screen.getByRole('form', { name: 'New policy' })).toBeTruthy();
    expect(policyItems()[0]?.querySelector('pre')?.textContent).toContain('utcWeekday');
  });

  it('replaces a policy through Edit and Save policy, and deletes one after confirming', async () => {
    const world = await adminWorld();
    await world.ownerClient.tenants.policies.create(world.tenantId, {
      effect: 'deny',
      actions: ['api_key.manage'],
      resource: '*',
      description: 'No keys',
    });
    renderWithPortcullis(<PolicyEditor />, { client: world.owner.client(), activeTenantId: world.tenantId });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit No keys' }));
    const edit = screen.getByRole('form', { name: 'Edit policy' });
    expect((within(edit).getByLabelText('Effect') as HTMLSelectElement).value).toBe('deny');
    expect(box(edit, 'api_key.manage').checked).toBe(true);
    fireEvent.click(box(edit, 'client.manage'));
    type('Description', 'No machine credentials');
    fireEvent.click(within(edit).getByRole('button', { name: 'Save policy' }));
    await screen.findByText('No machine credentials');
    const [item] = policyItems() as [HTMLElement];
    expect(within(item).getByText('client.manage')).toBeTruthy();

    fireEvent.click(within(item).getByRole('button', { name: 'Delete' }));
    expect(within(item).getByText('Delete this deny policy ("No machine credentials")?')).toBeTruthy();
    fireEvent.click(within(item).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(policyItems()).toHaveLength(0));
    expect((await world.ownerClient.tenants.policies.list(world.tenantId)).items).toEqual([]);
  });

  it('refuses an allow policy for what the admin does not hold, beside the button; denies are free', async () => {
    const world = await adminWorld();
    const admin = await world.addMember(['admin']);
    renderWithPortcullis(<PolicyEditor />, { client: admin.client, activeTenantId: world.tenantId });
    await screen.findByText('No policies yet: roles alone decide.');
    await waitFor(() => expect(box(form(), 'tenant.delete').disabled).toBe(true));
    // a deny may name anything
    fireEvent.change(within(form()).getByLabelText('Effect'), { target: { value: 'deny' } });
    expect(box(form(), 'tenant.delete').disabled).toBe(false);
    fireEvent.click(box(form(), 'tenant.delete'));
    // turned into an allow, the server refuses it
    fireEvent.change(within(form()).getByLabelText('Effect'), { target: { value: 'allow' } });
    const create = within(form()).getByRole('button', { name: 'Create policy' });
    fireEvent.click(create);
    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toBe('Cannot grant permissions you do not hold: tenant.delete');
    expect(create.getAttribute('aria-describedby')).toBe(alert.id);
  });

  it('tells a member without policy.manage, and reads nothing', async () => {
    const world = await adminWorld();
    const member = await world.addMember(['member']);
    renderWithPortcullis(<PolicyEditor />, { client: member.client, activeTenantId: world.tenantId });
    expect(
      await screen.findByText('You do not have permission to manage the policies of this organization.'),
    ).toBeTruthy();
    expect(member.browser.requests.some((r) => r.path.endsWith('/policies'))).toBe(false);
  });
});
