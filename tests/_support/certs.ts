/**
 * Certificates for TLS tests, made by Debian's `openssl`: a CA, a server
 * certificate for 127.0.0.1, client certificates signed by that CA, and one
 * signed by a stranger CA (to be refused).
 */

async function _openssl(cwd: string, ...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

async function _ca(dir: string, name: string): Promise<void> {
  await _openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
  );
}

async function _signed(dir: string, ca: string, name: string, ext: string): Promise<void> {
  await _openssl(
    dir,
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
  );
  Deno.writeTextFileSync(`${dir}/${name}.ext`, ext);
  await _openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  );
}

/** Paths of the generated files (PEM), in a temp dir removed when disposed. */
export interface TestCerts extends Disposable {
  dir: string;
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** Signed by another CA: the server must refuse it. */
  stranger: { cert: string; key: string };
}

/** Generates a CA, a server certificate for 127.0.0.1 and client certificates. */
export async function makeCerts(): Promise<TestCerts> {
  const dir = Deno.makeTempDirSync({ prefix: "caxton-certs-" });
  await _ca(dir, "ca");
  await _ca(dir, "stranger-ca");
  await _signed(
    dir,
    "ca",
    "server",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await _signed(dir, "ca", "client", "extendedKeyUsage=clientAuth\n");
  await _signed(dir, "stranger-ca", "stranger", "extendedKeyUsage=clientAuth\n");
  const pair = (name: string) => ({ cert: `${dir}/${name}.pem`, key: `${dir}/${name}.key` });
  return {
    dir,
    ca: `${dir}/ca.pem`,
    server: pair("server"),
    client: pair("client"),
    stranger: pair("stranger"),
    [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }),
  };
}
