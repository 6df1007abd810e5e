import { describe, expect, it } from 'vitest';
import { isPlausibleSsn, passesIbanMod97, passesLuhn } from '../../relay/pii/checksums.ts';
import { findPii } from '../../relay/pii/detect.ts';
import { createPlaceholders, maskText, maskValue } from '../../relay/pii/mask.ts';

describe('checksums', () => {
  it('checks Luhn', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
  });
  it('checks IBAN mod-97 in any case', () => {
    expect(passesIbanMod97('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanMod97('gb82 west 1234 5698 7654 32')).toBe(true);
    expect(passesIbanMod97('GB82WEST12345698765433')).toBe(false);
  });
  it('rejects SSNs that are never issued', () => {
    expect(isPlausibleSsn('123', '45', '6789')).toBe(true);
    expect(isPlausibleSsn('000', '45', '6789')).toBe(false);
    expect(isPlausibleSsn('666', '45', '6789')).toBe(false);
    expect(isPlausibleSsn('912', '45', '6789')).toBe(false);
    expect(isPlausibleSsn('123', '00', '6789')).toBe(false);
    expect(isPlausibleSsn('123', '45', '0000')).toBe(false);
  });
});

describe('maskText', () => {
  it.each([
    ['write to Ann.Lee+chat@mail.example.co.uk today', 'write to [EMAIL] today'],
    ['card 4111 1111 1111 1111 please', 'card [CARD] please'],
    ['card 4111-1111-1111-1111', 'card [CARD]'],
    ['iban gb82west12345698765432.', 'iban [IBAN].'],
    ['iban GB82 WEST 1234 5698 7654 32 thanks', 'iban [IBAN] thanks'],
    ['ssn 123-45-6789', 'ssn [SSN]'],
    ['from 192.168.10.4 and 2001:db8::8a2e:370:7334', 'from [IP] and [IP]'],
    ['call +1 (415) 555-0132 or 07700 900 123', 'call [PHONE] or [PHONE]'],
    ['call 415.555.0132 x12', 'call [PHONE]'],
  ])('masks %j', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });

  it.each([
    'card 4111111111111112 fails Luhn',
    'iban GB82WEST12345698765433 fails mod-97',
    'table for 4 at 19:30 on 2026-12-24 13:45:00, party of 12, order 12345',
    'version 1.2.3.4.5 and time 11:34:35',
  ])('leaves %j alone', (input) => {
    expect(maskText(input)).toBe(input);
  });

  it('does not call never-issued numbers SSNs', () => {
    const text = 'ssn 000-12-3456, 666-12-3456, 901-12-3456, 123-00-4567 and 123-45-0000 are never issued';
    expect(findPii(text).filter((match) => match.type === 'SSN')).toEqual([]);
  });

  it('masks values the flow marks personal, case-insensitively', () => {
    expect(maskText('Booking for Ada Lovelace, ada lovelace confirmed', ['Ada Lovelace'])).toBe(
      'Booking for [PII], [PII] confirmed',
    );
  });

  it('masks strings deeply and numbers that read as personal data', () => {
    expect(maskValue({ a: ['x ann@example.com'], b: { card: 4111111111111111, count: 3 } })).toEqual({
      a: ['x [EMAIL]'],
      b: { card: '[CARD]', count: 3 },
    });
  });

  it('prefers the card to the phone when both shapes fit', () => {
    expect(findPii('4111111111111111').map((match) => match.type)).toEqual(['CARD']);
    expect(findPii('+447700677662').map((match) => match.type)).toEqual(['PHONE']);
  });
});

describe('placeholders', () => {
  it('numbers each distinct value and restores it', () => {
    const placeholders = createPlaceholders();
    const masked = placeholders.mask('mail ann@example.com or bob@example.com, again ann@example.com');
    expect(masked).toBe('mail <EMAIL_1> or <EMAIL_2>, again <EMAIL_1>');
    expect(placeholders.restore({ email: '<EMAIL_2>', list: ['<EMAIL_1>', '<PHONE_9>'] })).toEqual({
      email: 'bob@example.com',
      list: ['ann@example.com', '<PHONE_9>'],
    });
  });
});
