// A real OpenID Connect provider for the staff sign-in test: panva/oidc-provider with its
// development sign-in pages (any user name; the password is not checked). The test decides
// who exists in Kandidatmonitor, not this provider. Usage:
//   node provider.mjs PORT REDIRECT_URI CLIENT_SECRET   (accounts' e-mail: ACCOUNTS='{"id": "e-mail"}')
import Provider from 'oidc-provider';

const [port, redirectUri, clientSecret] = process.argv.slice(2);
const emails = JSON.parse(process.env.ACCOUNTS || '{}');

const provider = new Provider(`http://localhost:${port}`, {
  clients: [{
    client_id: 'kandidatmonitor',
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: emails[id] ?? `${id}@example.org`, email_verified: true, name: id };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ['a test key, not a secret'] },
});
provider.listen(Number(port), () => console.log(`listening on ${port}`));
