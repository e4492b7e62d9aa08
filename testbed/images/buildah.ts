/**
 * buildah.ts runs buildah with the test bed's own storage (under the image cache) so image builds
 * neither use nor fill the machine's /var/lib/containers, and exports images as docker-archive
 * tarballs that `ctr images import` reads. Failures carry buildah's last output lines.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const TAIL_LINES = 30;

/** Buildah is a buildah bound to one storage root. */
export class Buildah {
  constructor(private readonly storageRoot: string) {}

  /** run runs `buildah <args>` and resolves with its stdout; it rejects with the output's tail. */
  run(args: readonly string[], cwd?: string): Promise<string> {
    const full = ['--root', join(this.storageRoot, 'storage'), '--runroot', '/tmp/bindy-testbed-buildah-run', '--storage-driver', 'overlay', ...args];
    return new Promise((resolve, reject) => {
      // BUILDAH_ISOLATION=chroot: RUN steps need no runc-in-runc; the host network is passed below.
      const child = spawn('buildah', full, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BUILDAH_ISOLATION: 'chroot' } });
      let stdout = '';
      const tail: string[] = [];
      const keep = (chunk: Buffer): void => {
        tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        if (tail.length > TAIL_LINES * 4) tail.splice(0, tail.length - TAIL_LINES);
      };
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        keep(chunk);
      });
      child.stderr.on('data', keep);
      child.on('error', (err) => reject(new Error(`testbed: cannot run buildah (install the Debian package buildah): ${err.message}`)));
      child.on('close', (code) => {
        if (code === 0) return resolve(stdout.trim());
        reject(new Error(`testbed: buildah ${args.slice(0, 3).join(' ')} … failed (exit ${code}); last output:\n${tail.slice(-TAIL_LINES).join('\n')}`));
      });
    });
  }

  /** fromScratch makes a working container from an empty image and returns its name. */
  fromScratch(): Promise<string> {
    return this.run(['from', 'scratch']);
  }

  /** exportArchive writes `image` to a docker-archive tarball under the name `tag`. */
  async exportArchive(image: string, path: string, tag: string): Promise<void> {
    await this.run(['push', '--quiet', image, `docker-archive:${path}:${tag}`]);
  }
}
