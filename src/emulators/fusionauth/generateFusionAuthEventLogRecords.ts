import type { EventLogType, EventLogWire } from '../../providers/fusionauth-event-log/EventLogWire';
import type { Random } from '../dataset/createRandom';
import type { Person } from '../dataset/people';
import { pickWeighted } from '../dataset/pickWeighted';
import { generateFusionAuthInstants } from './generateFusionAuthInstants';

interface EventLogEntry {
  readonly type: EventLogType;
  readonly message: string;
}

type Template = (random: Random, person: Person, context: FusionAuthSetup) => EventLogEntry;

/** The demo company's FusionAuth set-up the diagnostic lines talk about. */
interface FusionAuthSetup {
  readonly webhooks: readonly { readonly id: string; readonly url: string }[];
  readonly lambdas: readonly { readonly id: string; readonly name: string }[];
  readonly samlIdps: readonly {
    readonly id: string;
    readonly name: string;
    readonly issuer: string;
  }[];
  readonly oidcIdps: readonly {
    readonly id: string;
    readonly name: string;
    readonly tokenUrl: string;
  }[];
  readonly emailTemplates: readonly { readonly id: string; readonly name: string }[];
}

const WEBHOOK_EVENTS = [
  'user.create',
  'user.update',
  'user.delete',
  'user.login.success',
  'user.login.failed',
  'user.registration.create',
  'jwt.refresh-token.revoke',
];
const SMTP_FAILURES = [
  "Couldn't connect to host, port: smtp.example.com, 587; timeout 5000",
  '535 5.7.8 Authentication credentials invalid',
  '421 4.7.0 Try again later, closing connection. (EHLO)',
  '550 5.1.1 The email account that you tried to reach does not exist',
];
const LOGIN_FAILURES = [
  'The password was incorrect',
  'The user is locked',
  'The user has not verified their email address',
  'The two-factor code was invalid',
];

const TEMPLATES: readonly { readonly weight: number; readonly build: Template }[] = [
  {
    weight: 5,
    build: (random, _person, setup) => {
      const webhook = random.pick(setup.webhooks);
      const status = random.pick([500, 502, 503, 504, 404, 401]);
      return {
        type: 'Error',
        message: `Webhook [${webhook.url}] with Id [${webhook.id}] returned response code [${status}] when sending the event [${random.pick(WEBHOOK_EVENTS)}] with Id [${random.uuid()}].`,
      };
    },
  },
  {
    weight: 3,
    build: (random, _person, setup) => {
      const webhook = random.pick(setup.webhooks);
      return {
        type: 'Error',
        message: `Webhook [${webhook.url}] with Id [${webhook.id}] failed to respond within the configured read timeout of [2000] ms. The event [${random.pick(WEBHOOK_EVENTS)}] was not delivered.`,
      };
    },
  },
  {
    weight: 4,
    build: (random, person, setup) => {
      const template = random.pick(setup.emailTemplates);
      return {
        type: 'Error',
        message: `Unable to send the email using the template [${template.name}] with Id [${template.id}] to [${person.email}].\n\njakarta.mail.MessagingException: ${random.pick(SMTP_FAILURES)}`,
      };
    },
  },
  {
    weight: 5,
    build: (random, person) => ({
      type: 'Information',
      message: `User [${person.email}] failed login. Reason: ${random.pick(LOGIN_FAILURES)}. IP address [${random.pick(person.ips)}].`,
    }),
  },
  {
    weight: 4,
    build: (random, person, setup) => {
      const lambda = random.pick(setup.lambdas);
      return {
        type: 'Information',
        message: `Lambda [${lambda.name}] with Id [${lambda.id}] console.info: Added the claims [roles, department] to the JWT of user [${person.email}] in [${random.int(2, 40)}] ms.`,
      };
    },
  },
  {
    weight: 2,
    build: (random, person, setup) => {
      const lambda = random.pick(setup.lambdas);
      return {
        type: 'Error',
        message: `An exception occurred while executing the lambda [${lambda.name}] with Id [${lambda.id}] for user [${person.email}].\n\nTypeError: Cannot read property "${random.pick(['roles', 'department', 'tenant'])}" from undefined (<eval>#${random.int(3, 40)})`,
      };
    },
  },
  {
    weight: 4,
    build: (random, person, setup) => {
      const idp = random.pick(setup.samlIdps);
      return {
        type: 'Debug',
        message: [
          `SAML v2 IdP [${idp.name}] with Id [${idp.id}] debug log.`,
          `Received a SAML response from the issuer [${idp.issuer}] for the request Id [_${random.hex(32)}].`,
          `The response status is [urn:oasis:names:tc:SAML:2.0:status:Success].`,
          `Verified the signature of the response using the key with Id [${random.uuid()}].`,
          `Resolved the NameID [${person.email}] with the format [urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress].`,
        ].join('\n'),
      };
    },
  },
  {
    weight: 2,
    build: (random, _person, setup) => {
      const idp = random.pick(setup.samlIdps);
      return {
        type: 'Error',
        message: `SAML v2 IdP [${idp.name}] with Id [${idp.id}] rejected the SAML response from the issuer [${idp.issuer}]: ${random.pick(['the signature could not be verified with the configured key', 'the assertion has expired (NotOnOrAfter is in the past)', 'the audience does not match the configured entity Id'])}.`,
      };
    },
  },
  {
    weight: 4,
    build: (random, person, setup) => {
      const idp = random.pick(setup.oidcIdps);
      return {
        type: 'Debug',
        message: [
          `OpenID Connect IdP [${idp.name}] with Id [${idp.id}] debug log.`,
          `Called the token endpoint [${idp.tokenUrl}] and received the status code [200] in [${random.int(40, 900)}] ms.`,
          `Validated the id_token of the subject [${random.string(21, '0123456789')}] with the claim email [${person.email}].`,
          `Linked the identity to the user with Id [${person.fusionAuthUserId}].`,
        ].join('\n'),
      };
    },
  },
  {
    weight: 1,
    build: (random, _person, setup) => {
      const idp = random.pick(setup.oidcIdps);
      return {
        type: 'Error',
        message: `OpenID Connect IdP [${idp.name}] with Id [${idp.id}]: the token endpoint [${idp.tokenUrl}] returned the status code [${random.pick([400, 401, 500])}]. Response body: {"error":"invalid_grant","error_description":"Bad Request"}`,
      };
    },
  },
];

function createSetup(random: Random): FusionAuthSetup {
  return {
    webhooks: [
      { id: random.uuid(), url: 'https://hooks.example.com/fusionauth' },
      { id: random.uuid(), url: 'https://crm.example.net/webhooks/identity' },
      { id: random.uuid(), url: 'https://audit-sink.example.org/ingest' },
    ],
    lambdas: [
      { id: random.uuid(), name: 'Populate JWT claims' },
      { id: random.uuid(), name: 'Okta SAML reconcile' },
      { id: random.uuid(), name: 'Google OIDC reconcile' },
    ],
    samlIdps: [
      {
        id: random.uuid(),
        name: 'Okta Workforce',
        issuer: `http://www.okta.com/exk${random.string(17)}`,
      },
      { id: random.uuid(), name: 'Azure AD', issuer: `https://sts.windows.net/${random.uuid()}/` },
    ],
    oidcIdps: [
      {
        id: random.uuid(),
        name: 'Google Workspace',
        tokenUrl: 'https://oauth2.googleapis.com/token',
      },
      {
        id: random.uuid(),
        name: 'GitHub',
        tokenUrl: 'https://github.com/login/oauth/access_token',
      },
    ],
    emailTemplates: [
      { id: random.uuid(), name: 'Forgot Password' },
      { id: random.uuid(), name: 'Email Verification' },
      { id: random.uuid(), name: 'Setup Password' },
      { id: random.uuid(), name: 'Two Factor Authentication' },
    ],
  };
}

/**
 * FusionAuth Event Log entries as the API returns them: ids increasing with time, `insertInstant`
 * in epoch milliseconds with bursts in one second and some entries sharing one millisecond (a
 * webhook outage logs a volley at once), and the messages FusionAuth writes there: webhook and
 * SMTP failures, failed logins, lambda output, SAML and OpenID Connect exchanges.
 */
export function generateFusionAuthEventLogRecords(
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
  firstId = 1,
): EventLogWire[] {
  const setup = createSetup(random.fork('fusionauth-setup'));
  const times = generateFusionAuthInstants(random, {
    window,
    count,
    shareChance: 0.25,
    alwaysShare: true,
  });
  const records: EventLogWire[] = [];
  let previous: { second: number; template: Template; person: Person } | null = null;
  times.forEach((insertInstant, index) => {
    const second = Math.floor(insertInstant / 1000);
    // A burst is one incident: the same kind of line, mostly about the same person.
    const sameBurst = previous !== null && previous.second === second && random.chance(0.7);
    const template =
      sameBurst && previous ? previous.template : pickWeighted(random, TEMPLATES).build;
    const person = sameBurst && previous ? previous.person : random.pick(people);
    const entry = template(random, person, setup);
    records.push({ id: firstId + index, insertInstant, message: entry.message, type: entry.type });
    previous = { second, template, person };
  });
  return records;
}
