/**
 * The container image reference grammar of distribution/reference (the one Docker, containerd and
 * the kubelet parse): `[host[:port]/]path[:tag][@algorithm:hex]`. Checked by the Bind9Instance
 * controller because the chosen image runs beside the agent with the instance's ServiceAccount
 * token mounted: a reference the runtime would read differently from what a reviewer reads (a
 * newline, whitespace, an uppercase path) must never reach a pod spec.
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** NAME_MAX is the longest repository name (domain and path) the grammar allows. */
const NAME_MAX = 255;

/**
 * imageReferenceProblem returns why `image` (from `field`) is not a valid image reference, or
 * undefined when it is. The message names the rule broken, never echoes a multi-line value verbatim.
 */
export function imageReferenceProblem(image: string, field = 'spec.image'): string | undefined {
  if (image.length === 0) return `${field} is empty`;
  if (/\s/.test(image)) return `${field} contains whitespace or a line break`;
  const match = REFERENCE.exec(image);
  if (!match) return `${field} ${JSON.stringify(image)} is not an image reference ([registry[:port]/]path[:tag][@digest], lowercase path)`;
  if (match[1]!.length > NAME_MAX) return `${field} repository name is longer than ${NAME_MAX} characters`;
  return undefined;
}
