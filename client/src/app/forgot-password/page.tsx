import type { Metadata } from 'next';
import { ForgotPasswordForm } from '@/components/forgot-password-form';

export const metadata: Metadata = { title: 'Forgot password' };

/** Asks for a password-reset link by email. */
export default function ForgotPasswordPage() {
  return (
    <div className="container">
      <ForgotPasswordForm />
    </div>
  );
}
