// A real OpenID provider (panva/oidc-provider) for the browser tests, on loopback only.
//
// Settings come from the environment: OIDC_CLIENT (JSON: client_id, client_secret, redirect_uris)
// and OIDC_ACCOUNTS (JSON: login -> the claims the provider asserts for that person). Its own
// development sign-in form asks for a login (any password); consent is skipped, as for a
// first-party client. The first line written to stdout is the issuer address.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{ ...client, token_endpoint_auth_method: 'client_secret_post' }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(ctx, id) {
      const person = accounts[id];
      if (!person) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...person }; } };
    },
    async loadExistingGrant(ctx) {
      // First-party client: grant what it asks for without a consent screen.
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key'] },
  });
  provider.on('server_error', (ctx, error) => console.error(error));
  server.on('request', provider.callback());
  console.log(issuer);
});
