import { imageReferenceProblem } from '../../src/controllers/image-reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    'internetsystemsconsortium/bind9:9.18',
    'bind9',
    'registry.example.com:5000/dns/bind9:9.18-1',
    'localhost/bind9',
    '[::1]:5000/bind9:v1',
    `docker.io/library/bind9@${DIGEST}`,
    `ghcr.io/team/bind9:9.18@${DIGEST}`,
    'a/b__c/d-e.f_g:TAG_1.x-y',
  ])('accepts %s', (image) => {
    expect(imageReferenceProblem(image)).toBeUndefined();
  });

  it.each([
    ['x\ny', /whitespace or a line break/],
    ['bind9 :9.18', /whitespace/],
    ['\tbind9', /whitespace/],
    ['', /empty/],
    ['Bind9:9.18', /not an image reference/],
    ['bind9:', /not an image reference/],
    ['bind9:-tag', /not an image reference/],
    [`bind9:${'t'.repeat(129)}`, /not an image reference/],
    ['bind9@sha256:abc', /not an image reference/],
    ['registry.example.com:port/bind9', /not an image reference/],
    ['/bind9', /not an image reference/],
    ['bind9//x', /not an image reference/],
    ['bind9;rm -rf', /whitespace/],
    ['bind9$(id)', /not an image reference/],
    [`r/${'a'.repeat(260)}`, /longer than 255/],
  ])('rejects %j', (image, reason) => {
    expect(imageReferenceProblem(image)).toMatch(reason);
  });
});

describe('the field an image comes from', () => {
  it('is named in the message (spec.image.image, or spec.version for the default image)', () => {
    expect(imageReferenceProblem('internetsystemsconsortium/bind9:9.18 beta', 'spec.version')).toMatch(/^spec\.version contains whitespace/);
    expect(imageReferenceProblem('Bind9', 'spec.image.image')).toMatch(/^spec\.image\.image "Bind9" is not an image reference/);
  });
});
