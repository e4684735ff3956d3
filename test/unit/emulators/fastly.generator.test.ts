import { createRandom } from '../../../src/emulators/dataset/createRandom';
import { createPeople } from '../../../src/emulators/dataset/people';
import { generateFastlyRecords } from '../../../src/emulators/fastly/generateFastlyRecords';
import { fastlyRecordSchema } from '../../../src/providers/fastly/fastlyWire';

/** `EventAttributes.event_type` of fastly-js (upstream-schemas/fastly-events…json): 144 values. */
const EVENT_TYPES = new Set(
  `api_key.create acl.create acl.delete acl.update address.create address.delete address.update
  alerts.definition.create alerts.definition.delete alerts.definition.test alerts.definition.update
  backend.create backend.delete backend.update billing.contact_update cache_settings.create
  cache_settings.delete cache_settings.update customer.create customer.pricing customer.update
  customer_feature.create customer_feature.delete director.create director.delete director.update
  director_backend.create director_backend.delete domain.create domain.delete domain.update
  gzip.create gzip.delete gzip.update header.create header.delete header.update healthcheck.create
  healthcheck.delete healthcheck.update invitation.accept invitation.sent invoice.failed_payment
  invoice.payment io_settings.create io_settings.delete io_settings.update logging.create
  logging.delete logging.update pool.create pool.delete pool.update request_settings.create
  request_settings.delete request_settings.update response_object.create response_object.delete
  response_object.update rule_status.update rule_status.upsert security.workspace.create
  security.workspace.update security.workspace.delete security.redaction.create
  security.redaction.update security.redaction.delete security.rule.create security.rule.update
  security.rule.delete security.virtual_patch.create security.virtual_patch.update
  security.virtual_patch.delete security.event.update server.create server.delete server.update
  service.create service.delete service.move service.move_destination service.move_source
  service.purge_all service.update service_authorization.create service_authorization.delete
  service_authorization.update tls.bulk_certificate.create tls.bulk_certificate.delete
  tls.bulk_certificate.update tls.certificate.create tls.certificate.expiration_email
  tls.certificate.update tls.certificate.delete tls.configuration.update tls.private_key.create
  tls.private_key.delete tls.activation.enable tls.activation.update tls.activation.disable
  tls.globalsign.domain.create tls.globalsign.domain.verify tls.globalsign.domain.delete
  tls.subscription.create tls.subscription.delete tls.subscription.dns_check_email token.create
  token.destroy two_factor_auth.disable two_factor_auth.enable user.create user.destroy user.lock
  user.login user.login_failure user.logout user.password_update user.unlock user.update vcl.create
  vcl.delete vcl.update version.activate version.clone version.copy version.copy_destination
  version.copy_source version.create version.deactivate version.lock version.update
  waf.configuration_set_update waf.create waf.delete waf.update waf.enable waf.disable
  waf.owasp.create waf.owasp.update waf.ruleset.deploy waf.ruleset.deploy_failure wordpress.create
  wordpress.delete wordpress.update`.split(/\s+/),
);

const WINDOW = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) };

function generate(seed: number, count = 1500) {
  const random = createRandom(seed);
  const people = createPeople(random.fork('people'));
  return { people, records: generateFastlyRecords(random.fork('fastly'), people, WINDOW, count) };
}

describe('generateFastlyRecords', () => {
  const { people, records } = generate(11);

  it('knows the full event_type enum', () => {
    expect(EVENT_TYPES.size).toBe(144);
  });

  it('generates the count asked for, in the wire shape, sorted, inside the window', () => {
    expect(records).toHaveLength(1500);
    for (const record of records) expect(fastlyRecordSchema.parse(record)).toEqual(record);
    const times = records.map((r) => Date.parse(r.attributes.created_at));
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(WINDOW.fromMs);
    expect(Math.max(...times)).toBeLessThan(WINDOW.toMs);
    expect(
      records.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.attributes.created_at)),
    ).toBe(true);
  });

  it('is the same for a seed and different for another', () => {
    expect(generate(11).records).toEqual(records);
    expect(generate(12).records).not.toEqual(records);
  });

  it('gives every event a unique 22-character alphanumeric id and a type of the enum', () => {
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(records.every((r) => /^[A-Za-z0-9]{22}$/.test(r.id))).toBe(true);
    expect(records.filter((r) => !EVENT_TYPES.has(r.attributes.event_type))).toEqual([]);
    expect(new Set(records.map((r) => r.attributes.event_type)).size).toBeGreaterThan(20);
  });

  it('has the company people act, with their Fastly ids, and some events of no person', () => {
    const userIds = new Set(people.map((p) => p.fastlyUserId));
    const tokenIds = new Set(people.map((p) => p.fastlyTokenId));
    const byPeople = records.filter((r) => userIds.has(r.attributes.user_id ?? ''));
    expect(byPeople.length / records.length).toBeGreaterThan(0.8);
    expect(new Set(byPeople.map((r) => r.attributes.user_id)).size).toBe(people.length);
    expect(records.some((r) => tokenIds.has(r.attributes.token_id ?? ''))).toBe(true);
    expect(records.some((r) => r.attributes.user_id === null)).toBe(true);
    expect(records.some((r) => r.attributes.admin === true)).toBe(true);
    const byEmail = records.filter((r) => r.attributes.event_type === 'user.login');
    expect(
      byEmail.every((r) => people.some((p) => r.attributes.description?.includes(p.email))),
    ).toBe(true);
    expect(records.some((r) => r.attributes.ip?.includes(','))).toBe(true);
  });

  it('has bursts of one second, some larger than a page of 20', () => {
    const counts = new Map<string, number>();
    for (const r of records)
      counts.set(r.attributes.created_at, (counts.get(r.attributes.created_at) ?? 0) + 1);
    const sizes = [...counts.values()];
    expect(sizes.filter((size) => size > 1).length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeGreaterThan(20);
  });
});
